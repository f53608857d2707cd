namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// One streamed pass over anchors' similarities to their negatives that yields, per anchor and per τ, everything
/// the penalty metrics and the losses need. Per block it subtracts the row maximum m_i once, then for each τ
/// computes Z = Σ_j exp(d_ij/τ) and W = Σ_j exp(d_ij/τ)·d_ij with d = s − m, so that
/// log Σ_j exp(s_ij/τ) = m_i/τ + log Z and H(r_i) = log Z − W/(τZ). The K largest d_ij are kept for the top-K sums.
/// Excluded entries are set to d = 0 (exp = 1 exactly) and 1 is subtracted from Z: Z ≥ 1 because the maximum
/// contributes 1, so the subtraction loses nothing.
/// </summary>
internal static class PenaltyScan
{
    /// <summary>Per τ (outer index) and anchor (inner index).</summary>
    internal sealed record Result(double[][] Entropy, double[][] LogSumExp, double[][]? LogTopSumExp, double[][]? TopMass);

    /// <param name="anchors">(B, D) unit rows in the compute dtype.</param>
    /// <param name="negatives">(M, D) unit rows in the same dtype.</param>
    /// <param name="exclude">Optional (B,) int64 row of <paramref name="negatives"/> that is not a negative of anchor i.</param>
    /// <param name="taus">Temperatures, validated.</param>
    /// <param name="topK">0 for none, else the number of largest negatives whose sums are reported; validated.</param>
    internal static Result Run(Tensor anchors, Tensor negatives, Tensor? exclude, IReadOnlyList<double> taus, long topK)
    {
        long b = anchors.shape[0];
        int nt = taus.Count;
        var entropy = NewArrays(nt, b);
        var logSum = NewArrays(nt, b);
        var logTop = topK > 0 ? NewArrays(nt, b) : null;
        var topMass = topK > 0 ? NewArrays(nt, b) : null;
        double removed = exclude is null ? 0 : 1;

        using var scope = NewDisposeScope();
        long rows = Math.Min(b, SimilarityChunks.RowsPerChunk(negatives.shape[0]));
        var work = empty(rows * negatives.shape[0], dtype: anchors.dtype, device: anchors.device);
        SimilarityChunks.ForEach(anchors, negatives, exclude, (start, s, excludedFlat) =>
        {
            long c = s.shape[0];
            var max = s.amax([1], keepdim: true);
            s.sub_(max);
            var top = topK > 0 ? s.topk((int)topK, dim: 1, largest: true, sorted: false).values : null;
            if (excludedFlat is not null)
            {
                s.view(-1).index_fill_(0, excludedFlat, 0.0);
            }
            var e = work.narrow(0, 0, s.numel()).view(s.shape);
            double[] m = Doubles(max.view(c));
            for (int t = 0; t < nt; t++)
            {
                double tau = taus[t];
                e.copy_(s).mul_(1.0 / tau).exp_();
                double[] z = Doubles(e.sum(1));
                e.mul_(s);
                double[] w = Doubles(e.sum(1));
                double[]? topSum = top is null ? null : Doubles(top.mul(1.0 / tau).exp_().sum(1));
                for (long i = 0; i < c; i++)
                {
                    double zi = z[i] - removed;
                    entropy[t][start + i] = Math.Log(zi) - w[i] / (tau * zi);
                    logSum[t][start + i] = m[i] / tau + Math.Log(zi);
                    if (topSum is not null)
                    {
                        logTop![t][start + i] = m[i] / tau + Math.Log(topSum[i]);
                        topMass![t][start + i] = Math.Min(1.0, topSum[i] / zi);
                    }
                }
            }
        });
        return new Result(entropy, logSum, logTop, topMass);
    }

    private static double[][] NewArrays(int count, long length)
    {
        var arrays = new double[count][];
        for (int i = 0; i < count; i++)
        {
            arrays[i] = new double[length];
        }
        return arrays;
    }

    /// <summary>A 1-D tensor's values as doubles.</summary>
    internal static double[] Doubles(Tensor t) => t.detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
}
