namespace ContrastiveLab.Reports;

/// <summary>One loss at one τ: every seed's value of each metric, and their means.</summary>
/// <param name="Loss">The loss name.</param>
/// <param name="Tau">τ.</param>
/// <param name="Runs">How many runs (seeds) the cell holds.</param>
/// <param name="Samples">Per metric (the <c>…Key</c> constants), one value per run in seed order; a metric is absent when any run lacks it.</param>
/// <param name="TestImages">Test images each accuracy was measured on (the smallest over the runs), for the binomial noise of a single-seed cell.</param>
public sealed record SweepPoint(string Loss, double Tau, int Runs, IReadOnlyDictionary<string, IReadOnlyList<double>> Samples, int TestImages)
{
    /// <summary>Accuracy of the report's <see cref="AccuracyKind"/>, a fraction.</summary>
    public const string AccuracyKey = "accuracy";

    /// <summary>Weighted-kNN top-1 after the last epoch, a fraction.</summary>
    public const string KnnKey = "knn_top1";

    /// <summary>kNN top-1 of the run's own untrained encoder (epoch 0), a fraction.</summary>
    public const string UntrainedKnnKey = "untrained_knn_top1";

    /// <summary>Final kNN minus the run's own untrained kNN, a fraction.</summary>
    public const string KnnGainKey = "knn_gain";

    /// <summary>−L_uniformity at the end of training.</summary>
    public const string NegUniformityKey = "neg_uniformity";

    /// <summary>Tolerance at the end of training.</summary>
    public const string ToleranceKey = "tolerance";

    /// <summary>Entropy of r_i at the run's own τ at the end of training.</summary>
    public const string PenaltyEntropyKey = "penalty_entropy";

    /// <summary>Metrics that are fractions of test images, so a binomial model gives their noise when seeds cannot.</summary>
    public static IReadOnlyList<string> ProportionKeys { get; } = [AccuracyKey, KnnKey, UntrainedKnnKey, KnnGainKey];

    /// <summary>Mean accuracy in [0, 1]; null when a run lacks it.</summary>
    public double? Accuracy => Mean(AccuracyKey);

    /// <summary>Mean kNN top-1 in [0, 1].</summary>
    public double Knn => Mean(KnnKey) ?? double.NaN;

    /// <summary>Mean −L_uniformity; null when not recorded.</summary>
    public double? NegUniformity => Mean(NegUniformityKey);

    /// <summary>Mean tolerance; null when not recorded.</summary>
    public double? Tolerance => Mean(ToleranceKey);

    /// <summary>Mean entropy of r_i; null when not recorded.</summary>
    public double? PenaltyEntropy => Mean(PenaltyEntropyKey);

    /// <summary>The values of one metric over the runs, or null when any run lacks it.</summary>
    public IReadOnlyList<double>? Values(string metric) => Samples.TryGetValue(metric, out var v) ? v : null;

    /// <summary>The mean of one metric over the runs, or null when any run lacks it.</summary>
    public double? Mean(string metric) => Values(metric) is { Count: > 0 } v ? v.Average() : null;

    /// <summary>The standard error of the mean over seeds (s/√n), or null with fewer than two runs.</summary>
    public double? StandardError(string metric) =>
        Values(metric) is { Count: >= 2 } v ? Math.Sqrt(SeedStatistics.SumOfSquares(v) / (v.Count - 1) / v.Count) : null;

    /// <summary>Groups runs by loss and τ, keeping every seed's values, ordered by loss then τ.</summary>
    public static IReadOnlyList<SweepPoint> Aggregate(IEnumerable<RunRecord> runs, AccuracyKind kind)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return runs
            .GroupBy(r => (r.Config.Loss, Tau: Math.Round(r.Config.Tau, 9)))
            .Select(g =>
            {
                var cell = g.OrderBy(r => r.Config.Seed).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();
                var samples = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
                void Add(string key, Func<RunRecord, double?> value)
                {
                    var values = cell.Select(value).ToArray();
                    if (values.All(v => v is double x && double.IsFinite(x)))
                    {
                        samples[key] = values.Select(v => v!.Value).ToArray();
                    }
                }
                Add(AccuracyKey, r => r.Accuracy(kind));
                Add(KnnKey, r => r.Summary.KnnTop1);
                Add(UntrainedKnnKey, r => r.UntrainedKnnTop1);
                Add(KnnGainKey, r => r.Summary.KnnTop1 - r.UntrainedKnnTop1);
                Add(NegUniformityKey, r => r.Summary.FinalValue("neg_uniformity"));
                Add(ToleranceKey, r => r.Summary.FinalValue("tolerance"));
                Add(PenaltyEntropyKey, r => r.Summary.FinalValue("penalty_entropy"));
                return new SweepPoint(g.Key.Loss, g.Key.Tau, cell.Length, samples, cell.Min(r => r.Summary.TestImages));
            })
            .OrderBy(p => p.Loss, StringComparer.Ordinal).ThenBy(p => p.Tau)
            .ToArray();
    }

    /// <summary>The mean of the values, or null when any is null or there are none.</summary>
    internal static double? Mean(IEnumerable<double?> values)
    {
        var list = values.ToList();
        return list.Count == 0 || list.Any(v => v is null) ? null : list.Average(v => v!.Value);
    }
}
