namespace ContrastiveLab.Core.Losses;

/// <summary>
/// The hard contrastive loss, docs/paper.md Eq. 9: Eq. 1 with only the K hardest (largest s_ij) negatives in the
/// denominator, <c>L_hard(x_i) = −s_ii/τ + log(exp(s_ii/τ) + Σ_{j ∈ top-K_i} exp(s_ij/τ))</c>; mean over anchors.
/// </summary>
/// <remarks>
/// K is either fixed (<c>k</c>) or the upper-α quantile of each anchor's n negatives,
/// <c>K = max(1, round(α·n))</c> with midpoints rounded away from zero. With K = n it equals
/// <see cref="ContrastiveLoss"/>. The authors' code takes the top 4096 bank entries with the positive among them,
/// i.e. <c>k: 4095</c> whenever the positive is among the 4096 largest. Large banks take a chunked path
/// (per-chunk top-K, then a final top-K) with exact value and exact first derivatives for anchors and positives.
/// </remarks>
public sealed class HardContrastiveLoss : AnchorMeanLoss
{
    private readonly HardSelection _selection;

    /// <param name="tau">Temperature τ, finite and &gt; 0.</param>
    /// <param name="k">Number of hardest negatives, ≥ 1 (give this or <paramref name="alpha"/>).</param>
    /// <param name="alpha">Fraction of hardest negatives, in (0, 1] (give this or <paramref name="k"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">τ ≤ 0 or not finite; k &lt; 1; α outside (0, 1].</exception>
    /// <exception cref="ArgumentException">Both or neither of k and α given.</exception>
    public HardContrastiveLoss(double tau, int? k = null, double? alpha = null) : base(LossRegistry.Hard)
    {
        Tau = HyperParameters.Tau(tau);
        _selection = new HardSelection(k, alpha);
    }

    /// <summary>The temperature τ.</summary>
    public double Tau { get; }

    /// <summary>Fixed number of hardest negatives, or null when <see cref="Alpha"/> is used.</summary>
    public int? K => _selection.K;

    /// <summary>Upper-quantile fraction, or null when <see cref="K"/> is used.</summary>
    public double? Alpha => _selection.Alpha;

    private protected override Tensor Terms(Tensor anchors, Tensor positives, NegativeSet set) =>
        ContrastiveLoss.PerAnchor(anchors, positives, set, Tau, _selection.Resolve(set.Count), Chunking);
}
