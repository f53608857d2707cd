namespace ContrastiveLab.Core.Losses;

/// <summary>
/// The τ → 0⁺ limit of the contrastive loss, docs/paper.md Eq. 6 (scaled by τ): <c>L(x_i) = max(s_max − s_ii, 0)</c>,
/// s_max the largest negative similarity of anchor i; a margin-0 triplet loss on the hardest negative. Mean over anchors.
/// </summary>
/// <remarks>
/// This equals the authors' <c>SingleLoss</c>, <c>max_k s_ik − s_ii</c> with k over all entries including the
/// positive: when the positive is the largest entry both are 0. The hardest row is found chunk by chunk under
/// no_grad; s_max is then recomputed from that one row with autograd, so gradients are exact for every input
/// and memory stays O(B·D + chunk).
/// </remarks>
public sealed class SingleLoss : IContrastiveLoss
{
    /// <inheritdoc />
    public string Name => "single";

    /// <summary>Dense/chunked switch; tests force small chunks.</summary>
    internal ChunkPolicy Chunking { get; init; } = ChunkPolicy.Default;

    /// <inheritdoc />
    /// <param name="anchors">(B, D) float32 or float64 anchors, on the unit sphere.</param>
    /// <param name="positives">(B, D) positives, same dtype.</param>
    /// <param name="negatives">In-batch (B ≥ 2) or a shared (M, D) bank with optional (B,) exclusion index.</param>
    /// <exception cref="ArgumentException">Shapes, dtypes or the exclusion index are invalid.</exception>
    public Tensor Forward(Tensor anchors, Tensor positives, Negatives negatives)
    {
        using var scope = NewDisposeScope();
        NegativeSet set = NegativeSet.Resolve(anchors, positives, negatives);
        long b = anchors.shape[0];
        long rows = Chunking.UseDense(set, b) ? set.Bank.shape[0] : Chunking.Rows(b);
        Tensor hardest = BankScan.TopK(anchors, set, 1, rows).Indices.squeeze(1);
        Tensor sMax = anchors.mul(set.Bank.index_select(0, hardest)).sum(1);
        Tensor positive = anchors.mul(positives).sum(1);
        return sMax.sub(positive).relu().mean().MoveToOuterDisposeScope();
    }
}
