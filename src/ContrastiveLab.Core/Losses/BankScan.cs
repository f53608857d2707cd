namespace ContrastiveLab.Core.Losses;

/// <summary>
/// The loss kernels shared by every loss: the dense similarity matrix, and the chunked bank path that never
/// holds more than one (B, rows-per-chunk) block of similarities. The chunked kernels run under no_grad and
/// return detached statistics; <see cref="WithValue"/> turns them into a surrogate whose value is the loss and
/// whose first derivatives are exact (the bank itself gets no gradient on that path).
/// </summary>
/// <remarks>
/// Measured on the 2-core CPU machine (TorchSharp 0.107, libtorch 2.10, 2 threads) with
/// <c>dotnet run -c Release --project benchmarks/ContrastiveLab.Bench -- loss-bank</c>:
/// forward + backward with M = 1,281,167, B = 256, D = 128 float32 peaked at 1.0 GB resident for the whole process
/// (656 MB of it the bank; 1.15 GB after running all five losses in turn) and took 9–11 s for the contrastive loss,
/// 17–21 s for the hard losses with K = 4095, on a 2-core machine under a load average of 7–14. Details: docs/losses.md.
/// </remarks>
internal static class BankScan
{
    /// <summary>(B, M) similarities anchors·bankᵀ, each anchor's excluded row set to −∞; keeps autograd.</summary>
    /// <param name="anchors">(B, D).</param>
    /// <param name="bank">(M, D) rows, or a chunk of them starting at row <paramref name="start"/>.</param>
    /// <param name="exclude">(B,) int64 global row index per anchor, or null.</param>
    /// <param name="start">Global index of <paramref name="bank"/>'s first row.</param>
    /// <param name="inPlace">Mask the product in place (no second (B, M) tensor); safe for autograd, since the matrix
    /// product's backward needs its inputs, not its output.</param>
    public static Tensor MaskedSimilarities(Tensor anchors, Tensor bank, Tensor? exclude, long start = 0, bool inPlace = false)
    {
        Tensor s = anchors.matmul(bank.t());
        if (exclude is null)
        {
            return s;
        }

        Tensor columns = arange(start, start + bank.shape[0], dtype: ScalarType.Int64, device: anchors.device);
        Tensor mask = columns.unsqueeze(0).eq(exclude.unsqueeze(1));
        return inPlace ? s.masked_fill_(mask, double.NegativeInfinity) : s.masked_fill(mask, double.NegativeInfinity);
    }

    /// <summary>
    /// Online log-sum-exp over {z_i} ∪ {s_ij/τ : j negative} and the softmax-weighted sum of the negative rows,
    /// Σ_j P_ij bank_j, in one pass over the bank.
    /// </summary>
    /// <param name="anchors">(B, D).</param>
    /// <param name="set">The negatives.</param>
    /// <param name="positiveLogits">(B,) z_i = s_ii/τ, finite.</param>
    /// <param name="tau">τ &gt; 0.</param>
    /// <param name="chunkRows">Bank rows per chunk.</param>
    /// <returns>(B,) log-sum-exp and (B, D) Σ_j P_ij bank_j, both detached.</returns>
    public static (Tensor Lse, Tensor Weighted) Softmax(Tensor anchors, NegativeSet set, Tensor positiveLogits, double tau, long chunkRows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor a = anchors.detach();
        Tensor max = positiveLogits.detach().clone();
        Tensor sum = ones_like(max);
        Tensor weighted = zeros_like(a);
        long m = set.Bank.shape[0];
        for (long start = 0; start < m; start += chunkRows)
        {
            using var step = NewDisposeScope();
            Tensor rows = set.Bank.narrow(0, start, Math.Min(chunkRows, m - start));
            Tensor z = MaskedSimilarities(a, rows, set.ExcludeIndex, start).div_(tau);
            Tensor newMax = maximum(max, z.amax(1));
            Tensor rescale = max.sub(newMax).exp_();
            Tensor p = z.sub_(newMax.unsqueeze(1)).exp_();
            sum.mul_(rescale).add_(p.sum(1));
            weighted.mul_(rescale.unsqueeze(1)).addmm_(p, rows);
            max.copy_(newMax);
        }

        return (max.add(sum.log()).MoveToOuterDisposeScope(), weighted.div(sum.unsqueeze(1)).MoveToOuterDisposeScope());
    }

    /// <summary>The <paramref name="k"/> largest negative similarities per anchor and their bank rows, chunk by chunk.</summary>
    /// <param name="anchors">(B, D).</param>
    /// <param name="set">The negatives; at least <paramref name="k"/> per anchor.</param>
    /// <param name="k">How many, 1 ≤ k ≤ set.Count.</param>
    /// <param name="chunkRows">Bank rows per chunk.</param>
    /// <returns>(B, k) similarities in no particular order and (B, k) int64 bank rows; detached.</returns>
    public static (Tensor Values, Tensor Indices) TopK(Tensor anchors, NegativeSet set, int k, long chunkRows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor a = anchors.detach();
        long b = a.shape[0];
        long m = set.Bank.shape[0];
        Tensor values = full(b, k, double.NegativeInfinity, dtype: a.dtype, device: a.device);
        Tensor indices = zeros(b, k, dtype: ScalarType.Int64, device: a.device);
        for (long start = 0; start < m; start += chunkRows)
        {
            using var step = NewDisposeScope();
            long length = Math.Min(chunkRows, m - start);
            Tensor s = MaskedSimilarities(a, set.Bank.narrow(0, start, length), set.ExcludeIndex, start);
            // Only entries above an anchor's current k-th largest can enter its top k; after the first chunks
            // they are few, so ask the chunk for no more of them than the anchor that has most.
            long above = s.gt(values.amin([1], keepdim: true)).sum(1).max().item<long>();
            int take = (int)Math.Min(Math.Min(k, length), above);
            if (take == 0)
            {
                continue;
            }

            var (chunkValues, chunkIndices) = s.topk(take, dim: 1, sorted: false);
            Tensor allValues = cat([values, chunkValues], 1);
            Tensor allIndices = cat([indices, chunkIndices.add_(start)], 1);
            var (best, position) = allValues.topk(k, dim: 1, sorted: false);
            values.copy_(best);
            indices.copy_(allIndices.gather(1, position));
        }

        return (values.MoveToOuterDisposeScope(), indices.MoveToOuterDisposeScope());
    }

    /// <summary>Σ_k weights[i, k] · bank[indices[i, k]] per anchor, gathering a few columns at a time.</summary>
    /// <param name="bank">(M, D).</param>
    /// <param name="indices">(B, K) int64 rows.</param>
    /// <param name="weights">(B, K) weights, bank dtype.</param>
    /// <param name="chunkElements">Bound on B·columns·D gathered at once.</param>
    /// <returns>(B, D), detached.</returns>
    public static Tensor WeightedRows(Tensor bank, Tensor indices, Tensor weights, long chunkElements)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long b = indices.shape[0];
        long k = indices.shape[1];
        long d = bank.shape[1];
        long columns = Math.Max(1, chunkElements / (b * d));
        Tensor total = zeros(b, d, dtype: bank.dtype, device: bank.device);
        for (long start = 0; start < k; start += columns)
        {
            using var step = NewDisposeScope();
            long n = Math.Min(columns, k - start);
            Tensor rows = bank.detach().index_select(0, indices.narrow(1, start, n).reshape(-1)).view(b, n, d);
            total.add_(weights.narrow(1, start, n).unsqueeze(1).bmm(rows).squeeze(1));
        }

        return total.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The log-sum-exp over {z_i} ∪ selected negatives as a surrogate: value <paramref name="lse"/>, gradient
    /// P_ii ∂z_i + (1/τ) Σ_j P_ij bank_j ∂a_i, exact when the bank is constant.
    /// </summary>
    /// <param name="anchors">(B, D) with autograd.</param>
    /// <param name="positiveLogits">(B,) z_i = s_ii/τ with autograd.</param>
    /// <param name="lse">(B,) detached value.</param>
    /// <param name="weighted">(B, D) detached Σ_j P_ij bank_j over the negatives in the sum.</param>
    /// <param name="tau">τ.</param>
    public static Tensor LogSumExpSurrogate(Tensor anchors, Tensor positiveLogits, Tensor lse, Tensor weighted, double tau)
    {
        Tensor positiveWeight = positiveLogits.detach().sub(lse).exp();
        Tensor linear = positiveWeight.mul(positiveLogits).add(anchors.mul(weighted).sum(1).div(tau));
        return WithValue(linear, lse);
    }

    /// <summary>linear + (value − linear) detached: the value of <paramref name="value"/>, the gradient of <paramref name="linear"/>.</summary>
    public static Tensor WithValue(Tensor linear, Tensor value) => linear.add(value.detach().sub(linear.detach()));
}
