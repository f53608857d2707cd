namespace ContrastiveLab.Bench;

/// <summary>
/// One measured figure set of a workload. <see cref="Figures"/> maps a unit name (<c>images_per_s</c>, <c>ms</c>,
/// <c>peak_rss_mb</c>, <c>gflops</c>, <c>seconds</c>, …) to its median value; <see cref="Variant"/> tells apart the
/// sizes one workload measures (e.g. <c>m=16384</c>), empty when there is one.
/// </summary>
public sealed record BenchResult(string Name, string Variant, IReadOnlyDictionary<string, double> Figures, string Note)
{
    /// <summary>The units a figure may be reported in.</summary>
    public static IReadOnlyList<string> Units { get; } = ["images_per_s", "ms", "peak_rss_mb", "baseline_rss_mb", "gflops", "seconds", "pillow_images_per_s", "ours_over_pillow", "whole_decode_images_per_s"];

    /// <summary>Name and variant, the key a PyTorch result is paired with.</summary>
    public string Key => Variant.Length == 0 ? Name : $"{Name} [{Variant}]";
}
