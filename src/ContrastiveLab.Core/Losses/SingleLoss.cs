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
public sealed class SingleLoss : AnchorMeanLoss
{
    /// <summary>The loss; it has no settings.</summary>
    public SingleLoss() : base(LossRegistry.Single)
    {
    }

    private protected override Tensor Terms(Tensor anchors, Tensor positives, NegativeSet set)
    {
        long b = anchors.shape[0];
        long rows = Chunking.UseDense(set, b) ? set.Bank.shape[0] : Chunking.Rows(b);
        Tensor hardest = BankScan.TopK(anchors, set, 1, rows).Indices.squeeze(1);
        Tensor sMax = anchors.mul(set.Bank.index_select(0, hardest)).sum(1);
        Tensor positive = anchors.mul(positives).sum(1);
        return sMax.sub(positive).relu();
    }
}
