using ContrastiveLab.Core.Metrics;

namespace ContrastiveLab.Core.Analysis;

/// <summary>Computes <see cref="EmbeddingAnalysis"/> for embeddings from any framework, chunked so N = 100,000 fits in memory.</summary>
/// <remarks>
/// Every row is L2-normalised in float64 first. Similarity blocks (rows × all N columns, one matrix product each)
/// are computed in float64 for float64 input and in float32 otherwise; per-row sums and everything after them are
/// float64. The penalty entropies and both softmax losses come from one streamed pass (<c>PenaltyScan</c>);
/// uniformity from a second pass over the pairs i &lt; j only; tolerance, alignment and the simple loss are O(N·D).
/// </remarks>
public static class EmbeddingAnalyzer
{
    /// <summary>Default K of the hard loss, as in the authors' code (4096 entries, positive included).</summary>
    public const int DefaultHardK = 4095;

    /// <summary>
    /// Analyses a set of embeddings.
    /// </summary>
    /// <param name="embeddings">(N, D) float32 or float64, need not be normalised; N ≥ 2; no zero rows.</param>
    /// <param name="labels">Optional (N,) int64 class labels.</param>
    /// <param name="positives">Optional (N, D) positives p_i; when given s_ij = z_iᵀp_j, otherwise s_ij = z_iᵀz_j.</param>
    /// <param name="taus">Temperatures, each &gt; 0.</param>
    /// <param name="hardK">K for the hard loss; null means min(4095, N − 1).</param>
    /// <exception cref="ArgumentException">Shapes, values or options are invalid; the message names which.</exception>
    public static EmbeddingAnalysis Analyze(Tensor embeddings, Tensor? labels, Tensor? positives, IReadOnlyList<double> taus, int? hardK = null)
    {
        MetricInputs.Temperatures(taus, nameof(taus));
        using var scope = NewDisposeScope();
        var z64 = MetricInputs.UnitRowsFloat64(embeddings, nameof(embeddings), minRows: 2);
        long n = z64.shape[0], dim = z64.shape[1];
        int k = hardK ?? (int)Math.Min(DefaultHardK, n - 1);
        MetricInputs.InRange(k, 1, n - 1, nameof(hardK), "hardest negatives in the hard loss");
        var y = labels is null ? null : MetricInputs.Labels(labels, nameof(labels), n);
        var p64 = positives is null ? null : MetricInputs.UnitRowsFloat64(positives, nameof(positives), n, dim);

        var computeType = MetricInputs.ComputeType(embeddings);
        var z = z64.to_type(computeType);
        double uniformity = Uniformity.SetWise(z);
        double? tolerance = null;
        if (y is not null)
        {
            double value = Tolerance.SetWise(z64, y);
            tolerance = double.IsNaN(value) ? null : value;
        }

        var negatives = p64 is null ? z : p64.to_type(computeType);
        bool needTop = p64 is not null && k < n - 1;
        var scan = PenaltyScan.Run(z, negatives, arange(n, dtype: ScalarType.Int64), taus, needTop ? k : 0);
        double[]? positive = p64 is null ? null : PenaltyScan.Doubles(z64.mul(p64).sum(1));
        var perTau = new TemperatureAnalysis[taus.Count];
        for (int t = 0; t < taus.Count; t++)
        {
            double tau = taus[t];
            double[] entropy = scan.Entropy[t];
            double? contrastive = null, hard = null;
            if (positive is not null)
            {
                contrastive = MeanLoss(positive, scan.LogSumExp[t], tau);
                hard = needTop ? MeanLoss(positive, scan.LogTopSumExp![t], tau) : contrastive;
            }
            perTau[t] = new TemperatureAnalysis(tau, entropy.Average(), entropy.Average(Math.Exp), contrastive, hard);
        }

        double? alignment = null, lossSimple = null;
        if (p64 is not null)
        {
            alignment = Alignment.Compute(z64, p64);
            var diagonal = z64.mul(p64).sum(1);
            var rowSums = z64.matmul(p64.sum(0L));
            lossSimple = diagonal.neg().add(rowSums.sub(diagonal).div(n - 1)).mean().item<double>();
        }
        return new EmbeddingAnalysis(n, dim, uniformity, tolerance, alignment, lossSimple, perTau);
    }

    /// <summary>mean_i [−s_ii/τ + log(exp(s_ii/τ) + exp(logNeg_i))], with logNeg_i = log Σ exp(s_ij/τ) over the negatives counted.</summary>
    private static double MeanLoss(double[] positive, double[] logNegatives, double tau)
    {
        double total = 0;
        for (int i = 0; i < positive.Length; i++)
        {
            double a = positive[i] / tau;
            total += LogMath.LogAddExp(a, logNegatives[i]) - a;
        }
        return total / positive.Length;
    }
}
