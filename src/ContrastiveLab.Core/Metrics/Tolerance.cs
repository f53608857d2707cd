namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// Tolerance of Eq. 11 in the authors' conditional-mean form: for each anchor the mean similarity to the other
/// rows of its class, then the mean over anchors that have such rows. Perfectly clustered classes give 1.
/// Rows are L2-normalised first. Computed exactly in float64 from per-class sums of the rows
/// (Σ_{j: y_j = y} z_iᵀz_j = z_iᵀ Σ_{j: y_j = y} z_j), so it costs O(N·D) and needs no similarity matrix.
/// </summary>
public static class Tolerance
{
    /// <summary>Set-wise tolerance: anchor i against the other rows j ≠ i of the same set with y_j = y_i.</summary>
    /// <param name="embeddings">(N, D) embeddings, need not be normalised; no zero rows.</param>
    /// <param name="labels">(N,) integer class labels.</param>
    /// <returns>The tolerance, or NaN when no row shares its label with another row.</returns>
    /// <exception cref="ArgumentException">Shapes or values invalid.</exception>
    public static double SetWise(Tensor embeddings, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var z = MetricInputs.UnitRowsFloat64(embeddings, nameof(embeddings));
        var y = MetricInputs.Labels(labels, nameof(labels), z.shape[0]);
        var (classes, inverse) = Classes(y);
        var (sums, counts) = ClassSums(z, inverse, classes);
        var same = z.mul(sums.index_select(0, inverse)).sum(1).sub(z.mul(z).sum(1));
        return MeanOfMeans(same, counts.index_select(0, inverse).sub(1));
    }

    /// <summary>
    /// Anchors against a bank (the authors' protocol): anchor i against the bank rows with its label, leaving out
    /// its own bank row when <paramref name="excludeIndex"/> is given.
    /// </summary>
    /// <param name="anchors">(B, D) anchors, need not be normalised; no zero rows.</param>
    /// <param name="anchorLabels">(B,) integer labels of the anchors.</param>
    /// <param name="bank">(M, D) bank rows, need not be normalised; no zero rows.</param>
    /// <param name="bankLabels">(M,) integer labels of the bank rows.</param>
    /// <param name="excludeIndex">Optional (B,) int64 row of <paramref name="bank"/> to leave out for each anchor.</param>
    /// <returns>The tolerance, or NaN when no anchor has a same-label bank row.</returns>
    /// <exception cref="ArgumentException">Shapes or values invalid.</exception>
    public static double AgainstBank(Tensor anchors, Tensor anchorLabels, Tensor bank, Tensor bankLabels, Tensor? excludeIndex = null)
    {
        using var scope = NewDisposeScope();
        var a = MetricInputs.UnitRowsFloat64(anchors, nameof(anchors));
        var m = MetricInputs.UnitRowsFloat64(bank, nameof(bank), dim: a.shape[1]);
        long b = a.shape[0];
        var ya = MetricInputs.Labels(anchorLabels, nameof(anchorLabels), b);
        var ym = MetricInputs.Labels(bankLabels, nameof(bankLabels), m.shape[0]);
        var (classes, inverse) = Classes(cat([ya, ym]));
        var ia = inverse.narrow(0, 0, b);
        var im = inverse.narrow(0, b, m.shape[0]);
        var (sums, counts) = ClassSums(m, im, classes);
        var same = a.mul(sums.index_select(0, ia)).sum(1);
        var n = counts.index_select(0, ia);
        if (excludeIndex is not null)
        {
            var ex = MetricInputs.ExcludeIndex(excludeIndex, nameof(excludeIndex), b, m.shape[0]);
            var hit = im.index_select(0, ex).eq(ia).to_type(ScalarType.Float64);
            same = same.sub(a.mul(m.index_select(0, ex)).sum(1).mul(hit));
            n = n.sub(hit);
        }
        return MeanOfMeans(same, n);
    }

    private static (long Classes, Tensor Inverse) Classes(Tensor labels)
    {
        var (values, inverse, _) = labels.unique(sorted: true, return_inverse: true);
        return (values.shape[0], inverse!);
    }

    /// <summary>Per class, the sum of its (float64) rows and the number of rows.</summary>
    private static (Tensor Sums, Tensor Counts) ClassSums(Tensor rows, Tensor classOfRow, long classes)
    {
        var sums = zeros(classes, rows.shape[1], dtype: ScalarType.Float64).index_add_(0, classOfRow, rows, 1.0);
        var counts = zeros(classes, dtype: ScalarType.Float64).index_add_(0, classOfRow, ones(rows.shape[0], dtype: ScalarType.Float64), 1.0);
        return (sums, counts);
    }

    /// <summary>mean over i with count_i ≥ 1 of sum_i / count_i; NaN when there is none.</summary>
    private static double MeanOfMeans(Tensor sums, Tensor counts)
    {
        var keep = counts.ge(1);
        long kept = keep.sum().item<long>();
        return kept == 0 ? double.NaN : sums.masked_select(keep).div(counts.masked_select(keep)).sum().item<double>() / kept;
    }
}
