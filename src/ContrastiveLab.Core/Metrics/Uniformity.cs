namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// Uniformity of Eq. 10 (Wang and Isola): L = log E[exp(−t‖f(x) − f(y)‖²)], t = 2 by default, natural log, ≤ 0.
/// The paper's tables report −L (larger = more uniform). Rows are L2-normalised first, so
/// ‖a − b‖² = 2 − 2aᵀb and L = log-sum-exp over 2t·(s − 1) minus log(number of pairs), streamed in row blocks.
/// Similarities are computed in float64 for float64 input and in float32 otherwise.
/// </summary>
public static class Uniformity
{
    /// <summary>Set-wise uniformity: the mean over all pairs i &lt; j of one set.</summary>
    /// <param name="embeddings">(N, D) embeddings, need not be normalised; N ≥ 2, no zero rows.</param>
    /// <param name="t">The kernel's scale t &gt; 0.</param>
    /// <exception cref="ArgumentException">Shape or values invalid, or t ≤ 0.</exception>
    public static double SetWise(Tensor embeddings, double t = 2)
    {
        CheckT(t);
        using var scope = NewDisposeScope();
        var z = MetricInputs.UnitRows(embeddings, nameof(embeddings), embeddings, minRows: 2);
        long n = z.shape[0];
        double lse = double.NegativeInfinity;
        if (4 * t > 80)
        {
            SimilarityChunks.ForEachUpperTile(z, 1, (_, s, _) => lse = AddBlock(lse, s, t));
        }
        else
        {
            // exp(2t(s − 1)) = exp(−2t)·exp(2t·s): the scale rides on the matrix product, the shift on the total.
            double sum = 0;
            SimilarityChunks.ForEachUpperTile(z, 2 * t, (_, s, _) => sum += SumExp(s));
            lse = sum > 0 ? Math.Log(sum) - 2 * t : double.NegativeInfinity;
        }
        return lse - Math.Log(n * (n - 1.0) / 2);
    }

    /// <summary>
    /// Anchors against a bank (the authors' protocol: training anchors against every memory-bank entry): the mean
    /// over all B × M pairs, or over the B × (M − 1) pairs left when each anchor's own bank row is excluded.
    /// </summary>
    /// <param name="anchors">(B, D) anchors, need not be normalised; no zero rows.</param>
    /// <param name="bank">(M, D) bank rows, need not be normalised; no zero rows.</param>
    /// <param name="excludeIndex">Optional (B,) int64 row of <paramref name="bank"/> to leave out for each anchor.</param>
    /// <param name="t">The kernel's scale t &gt; 0.</param>
    /// <exception cref="ArgumentException">Shapes or values invalid, t ≤ 0, or no pair left.</exception>
    public static double AgainstBank(Tensor anchors, Tensor bank, Tensor? excludeIndex = null, double t = 2)
    {
        CheckT(t);
        using var scope = NewDisposeScope();
        var a = MetricInputs.UnitRows(anchors, nameof(anchors), anchors);
        var m = MetricInputs.UnitRows(bank, nameof(bank), anchors, dim: a.shape[1]);
        var exclude = excludeIndex is null ? null : MetricInputs.ExcludeIndex(excludeIndex, nameof(excludeIndex), a.shape[0], m.shape[0]);
        double pairs = a.shape[0] * (double)(m.shape[0] - (exclude is null ? 0 : 1));
        if (pairs < 1)
        {
            throw new ArgumentException("bank must leave at least one pair after the exclusion; it has one row and that row is excluded.", nameof(bank));
        }
        double lse = double.NegativeInfinity;
        SimilarityChunks.ForEach(a, m, exclude, (_, s, _) => lse = AddBlock(lse, s, t));
        return lse - Math.Log(pairs);
    }

    /// <summary>
    /// Adds log Σ exp(2t·(s − 1)) over a block of unit-vector similarities to a running log-sum-exp; overwrites the block.
    /// Since 2t·(s − 1) ∈ [−4t, 0], for 4t ≤ 80 no shift by the block's maximum is needed (exp stays within float32's
    /// normal range), which saves a pass; the sum runs per row in float32 (at most N terms, cascade-summed by
    /// libtorch) and across rows in float64. Larger t takes the general max-shifted path.
    /// </summary>
    private static double AddBlock(double running, Tensor s, double t)
    {
        s.mul_(2 * t).sub_(2 * t);
        if (4 * t > 80)
        {
            return SimilarityChunks.AddLogSumExp(running, s);
        }
        double sum = SumExp(s);
        return sum > 0 ? LogMath.LogAddExp(running, Math.Log(sum)) : running;
    }

    /// <summary>
    /// Σ exp over a block, overwriting it: rows are summed in the block's dtype (cascade summation, at most a block's
    /// width of terms, each within [e^−4t, e^2t] on the callers' paths) and the row sums in float64 — a float32 tensor
    /// summed straight into float64 is an order of magnitude slower.
    /// </summary>
    private static double SumExp(Tensor s) => s.exp_().sum(1).sum(ScalarType.Float64).item<double>();

    private static void CheckT(double t)
    {
        if (!(t > 0) || double.IsInfinity(t))
        {
            throw new ArgumentException($"t must be a finite number > 0; got {t}.", nameof(t));
        }
    }
}
