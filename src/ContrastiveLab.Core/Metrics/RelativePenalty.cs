namespace ContrastiveLab.Core.Metrics;

/// <summary>
/// The relative penalty of Eq. 5, r_i(j) = exp(s_ij/τ) / Σ_{k≠i} exp(s_ik/τ): the share of the gradient on the
/// positive that the contrastive loss puts on negative j (a Boltzmann distribution over the negatives). Small τ
/// concentrates it on the hardest negatives; its entropy grows with τ (dH/dτ = Var_r(s)/τ³).
/// </summary>
public static class RelativePenalty
{
    /// <summary>The distribution itself for a given similarity matrix.</summary>
    /// <param name="negativeSimilarities">(B, M) similarities of each anchor to its negatives only (positive left out).</param>
    /// <param name="tau">Temperature, &gt; 0.</param>
    /// <returns>(B, M) r, each row summing to 1, same dtype as the input.</returns>
    /// <exception cref="ArgumentException">The input is not 2-D with at least one column, or τ ≤ 0.</exception>
    public static Tensor Distribution(Tensor negativeSimilarities, double tau)
    {
        ArgumentNullException.ThrowIfNull(negativeSimilarities);
        MetricInputs.Temperatures([tau], nameof(tau));
        if (negativeSimilarities.dim() != 2 || negativeSimilarities.shape[1] < 1)
        {
            throw new ArgumentException(
                $"negativeSimilarities must be (B, M) with M ≥ 1; got shape {MetricInputs.Shape(negativeSimilarities)}.", nameof(negativeSimilarities));
        }
        using var scope = NewDisposeScope();
        return negativeSimilarities.div(tau).softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Entropy, effective number of negatives and top-k mass of r_i for every anchor and temperature, streamed in
    /// row blocks so that B × M need not fit in memory. Rows are L2-normalised first, so s_ij is a cosine similarity.
    /// Similarities are computed in float64 for float64 input and in float32 otherwise; per-anchor sums in float64.
    /// </summary>
    /// <param name="anchors">(B, D) anchors f(x_i), need not be normalised; no zero rows.</param>
    /// <param name="negatives">(M, D) candidate negatives g(x_j) (in-batch positives, a memory bank or a queue), need not be normalised.</param>
    /// <param name="taus">Temperatures, each &gt; 0.</param>
    /// <param name="topK">k for <see cref="PenaltyStatistics.TopKMass"/>, in [1, number of negatives per anchor].</param>
    /// <param name="excludeIndex">Optional (B,) int64: the row of <paramref name="negatives"/> that is anchor i's own
    /// entry (its positive in a memory bank, or i itself in-batch) and is not a negative. Null: all M rows are negatives.</param>
    /// <returns>One entry per temperature, in the order given.</returns>
    /// <exception cref="ArgumentException">Shapes, values or options are invalid; the message names which.</exception>
    public static IReadOnlyList<PenaltyStatistics> Analyze(Tensor anchors, Tensor negatives, IReadOnlyList<double> taus, int topK = 10, Tensor? excludeIndex = null)
    {
        MetricInputs.Temperatures(taus, nameof(taus));
        using var scope = NewDisposeScope();
        var a = MetricInputs.UnitRows(anchors, nameof(anchors), anchors);
        var bank = MetricInputs.UnitRows(negatives, nameof(negatives), anchors, dim: a.shape[1]);
        var exclude = excludeIndex is null ? null
            : MetricInputs.ExcludeIndex(excludeIndex, nameof(excludeIndex), a.shape[0], bank.shape[0]);
        long perAnchor = bank.shape[0] - (exclude is null ? 0 : 1);
        if (perAnchor < 1)
        {
            throw new ArgumentException("negatives must leave each anchor at least one negative after the exclusion; got none.", nameof(negatives));
        }
        MetricInputs.InRange(topK, 1, perAnchor, nameof(topK), "negatives per anchor counted in the top-k mass");
        var scan = PenaltyScan.Run(a, bank, exclude, taus, topK);
        var result = new PenaltyStatistics[taus.Count];
        for (int t = 0; t < taus.Count; t++)
        {
            result[t] = new PenaltyStatistics(taus[t], topK, scan.Entropy[t], scan.Entropy[t].Select(Math.Exp).ToArray(), scan.TopMass![t]);
        }
        return result;
    }

    /// <summary>
    /// The data of Fig. 3: for each τ, r(s) over a set of negatives whose similarities cover [−1, 1].
    /// </summary>
    /// <param name="taus">Temperatures, each &gt; 0.</param>
    /// <param name="points">Number of negatives, ≥ 2.</param>
    /// <param name="seed">Null: an evenly spaced grid from −1 to 1. Otherwise similarities drawn from U[−1, 1] with this seed, sorted.</param>
    /// <exception cref="ArgumentException">A temperature is not positive or <paramref name="points"/> &lt; 2.</exception>
    public static IReadOnlyList<PenaltyCurve> Curves(IReadOnlyList<double> taus, int points = 201, int? seed = null)
    {
        MetricInputs.Temperatures(taus, nameof(taus));
        MetricInputs.InRange(points, 2, int.MaxValue, nameof(points), "number of negatives");
        double[] s = new double[points];
        if (seed is int value)
        {
            var random = new Random(value);
            for (int k = 0; k < points; k++)
            {
                s[k] = random.NextDouble() * 2 - 1;
            }
            Array.Sort(s);
        }
        else
        {
            for (int k = 0; k < points; k++)
            {
                s[k] = -1 + 2.0 * k / (points - 1);
            }
        }
        double max = s[^1];
        return taus.Select(tau =>
        {
            double[] r = s.Select(x => Math.Exp((x - max) / tau)).ToArray();
            double total = r.Sum();
            return new PenaltyCurve(tau, (double[])s.Clone(), r.Select(x => x / total).ToArray());
        }).ToArray();
    }
}
