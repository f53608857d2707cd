namespace ContrastiveLab.Core.Metrics;

/// <summary>Five-number summary and mean of one column of an order-statistics table, for a box plot.</summary>
/// <param name="Rank">0 for the positive similarity, k ≥ 1 for the k-th nearest negative.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="LowerQuartile">25th percentile (linear interpolation between order statistics).</param>
/// <param name="Median">50th percentile.</param>
/// <param name="UpperQuartile">75th percentile.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Mean">Arithmetic mean.</param>
public sealed record RankSummary(int Rank, double Min, double LowerQuartile, double Median, double UpperQuartile, double Max, double Mean)
{
    /// <summary>Summarises a sample (not modified); percentiles use linear interpolation (NumPy's default).</summary>
    /// <exception cref="ArgumentException">The sample is empty.</exception>
    public static RankSummary Of(int rank, IReadOnlyList<double> sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Count == 0)
        {
            throw new ArgumentException("sample must not be empty.", nameof(sample));
        }
        double[] sorted = [.. sample];
        Array.Sort(sorted);
        return new RankSummary(rank, sorted[0], Percentile(sorted, 0.25), Percentile(sorted, 0.5), Percentile(sorted, 0.75), sorted[^1], sorted.Average());
    }

    private static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }
}
