namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// The positive similarity and the nearest negative similarities of each anchor (the paper's Fig. 8), streamed in
/// row blocks. Rows are L2-normalised first; similarities are computed in float64 for float64 input and in float32 otherwise.
/// </summary>
public static class SimilarityOrderStatistics
{
    /// <summary>Set-wise: s_ii = z_iᵀp_i, and the negatives of anchor i are the other positives p_j, j ≠ i (in-batch).</summary>
    /// <param name="anchors">(N, D) anchors, need not be normalised; no zero rows.</param>
    /// <param name="positives">(N, D) positives, row i belonging to anchor i; need not be normalised.</param>
    /// <param name="ranks">Number of nearest negatives R, in [1, N − 1].</param>
    /// <exception cref="ArgumentException">Shapes, values or <paramref name="ranks"/> invalid.</exception>
    public static OrderStatisticsTable SetWise(Tensor anchors, Tensor positives, int ranks = 10)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        using var scope = NewDisposeScope();
        return AgainstBank(anchors, positives, positives, arange(anchors.shape[0], dtype: ScalarType.Int64), ranks);
    }

    /// <summary>
    /// Anchors against a bank: s_ii = z_iᵀp_i, negatives are the bank rows, leaving out each anchor's own row when
    /// <paramref name="excludeIndex"/> is given (memory bank: positives = bank rows at that index).
    /// </summary>
    /// <param name="anchors">(B, D) anchors, need not be normalised; no zero rows.</param>
    /// <param name="positives">(B, D) positives, row i belonging to anchor i; need not be normalised.</param>
    /// <param name="bank">(M, D) negatives, need not be normalised.</param>
    /// <param name="excludeIndex">Optional (B,) int64 row of <paramref name="bank"/> that is not a negative of anchor i.</param>
    /// <param name="ranks">Number of nearest negatives R, in [1, negatives per anchor].</param>
    /// <exception cref="ArgumentException">Shapes, values or <paramref name="ranks"/> invalid.</exception>
    public static OrderStatisticsTable AgainstBank(Tensor anchors, Tensor positives, Tensor bank, Tensor? excludeIndex = null, int ranks = 10)
    {
        using var scope = NewDisposeScope();
        var a64 = MetricInputs.UnitRowsFloat64(anchors, nameof(anchors));
        var p64 = MetricInputs.UnitRowsFloat64(positives, nameof(positives), a64.shape[0], a64.shape[1]);
        var m = MetricInputs.UnitRows(bank, nameof(bank), anchors, dim: a64.shape[1]);
        long b = a64.shape[0];
        var exclude = excludeIndex is null ? null : MetricInputs.ExcludeIndex(excludeIndex, nameof(excludeIndex), b, m.shape[0]);
        MetricInputs.InRange(ranks, 1, m.shape[0] - (exclude is null ? 0 : 1), nameof(ranks), "nearest negatives per anchor");

        var values = new double[b, 1 + ranks];
        double[] positive = PenaltyScan.Doubles(a64.mul(p64).sum(1));
        for (long i = 0; i < b; i++)
        {
            values[i, 0] = positive[i];
        }
        SimilarityChunks.ForEach(a64.to_type(m.dtype), m, exclude, (start, s, _) =>
        {
            double[] top = PenaltyScan.Doubles(s.topk(ranks, dim: 1, largest: true, sorted: true).values.reshape(-1));
            for (long i = 0; i < s.shape[0]; i++)
            {
                for (int k = 0; k < ranks; k++)
                {
                    values[start + i, 1 + k] = top[i * ranks + k];
                }
            }
        });
        var summaries = new RankSummary[1 + ranks];
        for (int k = 0; k <= ranks; k++)
        {
            var column = new double[b];
            for (long i = 0; i < b; i++)
            {
                column[i] = values[i, k];
            }
            summaries[k] = RankSummary.Of(k, column);
        }
        return new OrderStatisticsTable(values, summaries);
    }
}
