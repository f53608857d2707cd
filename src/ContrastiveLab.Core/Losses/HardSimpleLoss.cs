namespace ContrastiveLab.Core.Losses;

/// <summary>
/// The hard simple loss (docs/paper.md, after Eq. 9): the simple loss over the K hardest negatives,
/// <c>L(x_i) = −s_ii + (1/K) Σ_{j ∈ top-K_i} s_ij</c>, mean over anchors.
/// </summary>
/// <remarks>
/// K is fixed (<c>k</c>) or <c>K = max(1, round(α·n))</c> for n negatives. Authors' code variant
/// (<c>authorsVariant: true</c>): <c>−s_ii + (1/(K+1)) Σ top-(K+1)</c> over all entries, the positive included
/// (the code's K + 1 = 4096). Large banks take a chunked path with exact value and first derivatives for the
/// anchors and positives.
/// </remarks>
public sealed class HardSimpleLoss : AnchorMeanLoss
{
    private readonly HardSelection _selection;

    /// <param name="k">Number of hardest negatives, ≥ 1 (give this or <paramref name="alpha"/>).</param>
    /// <param name="alpha">Fraction of hardest negatives, in (0, 1] (give this or <paramref name="k"/>).</param>
    /// <param name="authorsVariant">Average the top K + 1 of all entries, positive included, instead of the top K negatives.</param>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 1; α outside (0, 1].</exception>
    /// <exception cref="ArgumentException">Both or neither of k and α given.</exception>
    public HardSimpleLoss(int? k = null, double? alpha = null, bool authorsVariant = false) : base(LossRegistry.HardSimple)
    {
        _selection = new HardSelection(k, alpha);
        AuthorsVariant = authorsVariant;
    }

    /// <summary>Fixed number of hardest negatives, or null when <see cref="Alpha"/> is used.</summary>
    public int? K => _selection.K;

    /// <summary>Upper-quantile fraction, or null when <see cref="K"/> is used.</summary>
    public double? Alpha => _selection.Alpha;

    /// <summary>True for the authors' code form.</summary>
    public bool AuthorsVariant { get; }

    private protected override Tensor Terms(Tensor anchors, Tensor positives, NegativeSet set)
    {
        int k = _selection.Resolve(set.Count);
        Tensor positive = anchors.mul(positives).sum(1);
        int count = AuthorsVariant ? k + 1 : k;
        Tensor topSum = Chunking.UseDense(set, anchors.shape[0])
            ? DenseTopSum(anchors, set, positive, count)
            : ChunkedTopSum(anchors, set, positive, count);
        return positive.neg().add(topSum.div(count));
    }

    private Tensor DenseTopSum(Tensor anchors, NegativeSet set, Tensor positive, int count)
    {
        Tensor s = BankScan.MaskedSimilarities(anchors, set.Bank, set.ExcludeIndex);
        if (AuthorsVariant)
        {
            s = cat([positive.unsqueeze(1), s], 1);
        }

        return s.topk(count, dim: 1).Item1.sum(1);
    }

    private Tensor ChunkedTopSum(Tensor anchors, NegativeSet set, Tensor positive, int count)
    {
        int fetch = (int)Math.Min(count, set.Count);
        var (values, indices) = BankScan.TopK(anchors, set, fetch, Chunking.Rows(anchors.shape[0]));
        Tensor value;
        Tensor positiveWeight;
        Tensor rowWeights;
        using (no_grad())
        {
            if (AuthorsVariant)
            {
                // Top count of {s_ii} ∪ top fetch negatives: a 0/1 mask over [positive, negatives].
                Tensor candidates = cat([positive.detach().unsqueeze(1), values], 1);
                Tensor chosen = candidates.topk(count, dim: 1).Item2;
                Tensor mask = zeros_like(candidates).scatter_(1, chosen, ones_like(chosen, dtype: candidates.dtype));
                value = candidates.mul(mask).sum(1);
                positiveWeight = mask.select(1, 0);
                rowWeights = mask.narrow(1, 1, fetch);
            }
            else
            {
                value = values.sum(1);
                positiveWeight = zeros_like(value);
                rowWeights = ones_like(values);
            }
        }

        Tensor weighted = BankScan.WeightedRows(set.Bank, indices, rowWeights, Chunking.ChunkElements);
        Tensor linear = positiveWeight.mul(positive).add(anchors.mul(weighted).sum(1));
        return BankScan.WithValue(linear, value);
    }
}
