namespace ContrastiveLab.Bench;

/// <summary>TorchSharp-versus-PyTorch ratios, oriented so that above 1 always means TorchSharp does better.</summary>
public static class BenchRatio
{
    /// <summary>
    /// For rates (<c>images_per_s</c>, <c>gflops</c>) ours / theirs; for costs (<c>ms</c>, <c>seconds</c>,
    /// <c>peak_rss_mb</c>) theirs / ours. NaN for other units or non-positive figures.
    /// </summary>
    public static double Better(string unit, double ours, double theirs)
    {
        if (!(ours > 0) || !(theirs > 0))
        {
            return double.NaN;
        }
        return unit switch
        {
            "images_per_s" or "gflops" => ours / theirs,
            "ms" or "seconds" or "peak_rss_mb" => theirs / ours,
            _ => double.NaN,
        };
    }
}
