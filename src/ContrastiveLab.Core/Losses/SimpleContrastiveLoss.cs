namespace ContrastiveLab.Core.Losses;

/// <summary>
/// The simple contrastive loss, docs/paper.md Eq. 3: <c>L_simple(x_i) = −s_ii + λ Σ_{j negative} s_ij</c>, mean over
/// anchors; λ defaults to 1/n for n negatives per anchor. It is linear in the similarities, so it never builds a
/// (B, M) matrix: Σ_j s_ij = anchors_i · (Σ_rows bank − own row), with exact autograd for every input.
/// </summary>
/// <remarks>
/// Authors' code variant (<c>authorsVariant: true</c>): <c>−s_ii + (1/N) Σ_{k=1..N} s_ik</c> over all N entries,
/// the positive included, N = n + 1. For a memory bank with <c>excludeIndex</c> (positives = bank[idx]) these are
/// all M bank rows; in-batch, all B positive rows; for a bank without exclusion, the positive plus the M rows.
/// </remarks>
public sealed class SimpleContrastiveLoss : AnchorMeanLoss
{
    /// <param name="lambda">Weight λ of the negative sum, finite and &gt; 0; null means 1/(number of negatives).</param>
    /// <param name="authorsVariant">Use the authors' code form (mean over all entries, positive included) instead of Eq. 3.</param>
    /// <exception cref="ArgumentOutOfRangeException">λ ≤ 0 or not finite.</exception>
    /// <exception cref="ArgumentException">λ given together with the authors' variant, which fixes the weight at 1/N.</exception>
    public SimpleContrastiveLoss(double? lambda = null, bool authorsVariant = false) : base(LossRegistry.Simple)
    {
        if (lambda is { } l)
        {
            HyperParameters.Lambda(l);
            if (authorsVariant)
            {
                throw new ArgumentException($"lambda = {l} cannot be combined with the authors' variant, whose weight is 1/N; leave lambda null.", nameof(lambda));
            }
        }

        Lambda = lambda;
        AuthorsVariant = authorsVariant;
    }

    /// <summary>λ, or null for 1/(number of negatives).</summary>
    public double? Lambda { get; }

    /// <summary>True for the authors' code form.</summary>
    public bool AuthorsVariant { get; }

    private protected override Tensor Terms(Tensor anchors, Tensor positives, NegativeSet set)
    {
        Tensor positive = anchors.mul(positives).sum(1);
        Tensor negativeSum = anchors.matmul(set.Bank.sum(dim: 0));
        if (set.ExcludeIndex is { } exclude)
        {
            negativeSum = negativeSum.sub(anchors.mul(set.Bank.index_select(0, exclude)).sum(1));
        }

        return AuthorsVariant
            ? positive.neg().add(positive.add(negativeSum).div(set.Count + 1))
            : positive.neg().add(negativeSum.mul(Lambda ?? 1.0 / set.Count));
    }
}
