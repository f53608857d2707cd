namespace ContrastiveLab.Reports;

/// <summary>Everything a report reads from one finished run folder.</summary>
/// <param name="Name">The folder's path relative to the results folder, with '/' separators.</param>
/// <param name="Directory">The folder's full path.</param>
/// <param name="Config">The run's config.</param>
/// <param name="Summary">The run's summary (present: the run finished).</param>
/// <param name="Metrics">metrics.csv rows in file order; epoch 0 is the untrained encoder.</param>
/// <param name="OrderStatistics">order_statistics.csv, null when absent.</param>
/// <param name="Linear">linear.json, null when no linear probe was run.</param>
/// <param name="Environment">environment.json, null when absent.</param>
public sealed record RunRecord(
    string Name, string Directory, RunConfig Config, RunSummary Summary, IReadOnlyList<EpochMetrics> Metrics,
    OrderStatistics? OrderStatistics, LinearResult? Linear, RunEnvironment? Environment)
{
    /// <summary>Top-1 accuracy in [0, 1] of the requested kind; null when that kind is not available for this run.</summary>
    public double? Accuracy(AccuracyKind kind) => kind == AccuracyKind.Linear ? Linear?.BestTop1 : Summary.KnnTop1;

    /// <summary>kNN top-1 of the untrained encoder (epoch 0 of metrics.csv), null when that row is missing.</summary>
    public double? UntrainedKnnTop1 => Metrics.FirstOrDefault(m => m.Epoch == 0)?.Value("knn_top1");
}
