namespace ContrastiveLab.Reports;

/// <summary>A finished run's <c>summary.json</c>.</summary>
/// <param name="Status">"finished".</param>
/// <param name="KnnTop1">Weighted-kNN top-1 accuracy after the last epoch, in [0, 1].</param>
/// <param name="BestKnnTop1">Best kNN top-1 over the epochs, in [0, 1].</param>
/// <param name="Final">The last epoch's metrics by name (neg_uniformity, tolerance, penalty_entropy, pos_sim, neg1…); null where not applicable.</param>
/// <param name="WallSeconds">Training wall time in seconds.</param>
/// <param name="Threads">Threads used.</param>
/// <param name="Device">cpu or cuda.</param>
/// <param name="TrainImages">Training images.</param>
/// <param name="TestImages">Test images.</param>
/// <param name="Steps">Optimisation steps.</param>
public sealed record RunSummary(
    string Status, double KnnTop1, double BestKnnTop1, IReadOnlyDictionary<string, double?> Final,
    double WallSeconds, int Threads, string Device, int TrainImages, int TestImages, long Steps)
{
    /// <summary>The dataset's class names by label (empty for runs written before summaries recorded them).</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>A final metric, or null when absent or not applicable.</summary>
    public double? FinalValue(string name) => Final.TryGetValue(name, out var v) ? v : null;
}
