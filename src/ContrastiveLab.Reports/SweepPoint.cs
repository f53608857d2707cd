namespace ContrastiveLab.Reports;

/// <summary>The mean over seeds of one loss at one τ.</summary>
/// <param name="Loss">The loss name.</param>
/// <param name="Tau">τ.</param>
/// <param name="Accuracy">Mean accuracy (of the report's <see cref="AccuracyKind"/>) in [0, 1]; null when a run lacks it.</param>
/// <param name="Knn">Mean kNN top-1 in [0, 1].</param>
/// <param name="NegUniformity">Mean −L_uniformity at the end of training; null when not recorded.</param>
/// <param name="Tolerance">Mean tolerance; null when not recorded.</param>
/// <param name="PenaltyEntropy">Mean entropy of r_i at the run's own τ; null when not recorded.</param>
/// <param name="Runs">How many runs (seeds) were averaged.</param>
public sealed record SweepPoint(string Loss, double Tau, double? Accuracy, double Knn, double? NegUniformity, double? Tolerance, double? PenaltyEntropy, int Runs)
{
    /// <summary>Groups runs by loss and τ and averages them, ordered by loss then τ.</summary>
    public static IReadOnlyList<SweepPoint> Aggregate(IEnumerable<RunRecord> runs, AccuracyKind kind)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return runs
            .GroupBy(r => (r.Config.Loss, Tau: Math.Round(r.Config.Tau, 9)))
            .Select(g => new SweepPoint(g.Key.Loss, g.Key.Tau,
                Mean(g.Select(r => r.Accuracy(kind))), g.Average(r => r.Summary.KnnTop1),
                Mean(g.Select(r => r.Summary.FinalValue("neg_uniformity"))),
                Mean(g.Select(r => r.Summary.FinalValue("tolerance"))),
                Mean(g.Select(r => r.Summary.FinalValue("penalty_entropy"))), g.Count()))
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
