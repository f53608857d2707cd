namespace ContrastiveLab.Core.Losses;

/// <summary>
/// When a loss takes the dense path (one (B, M) similarity matrix, plain autograd) and how large the chunks
/// of the bank path are. Internal so that tests can force small chunks; the defaults suit every caller.
/// </summary>
/// <param name="DenseElementLimit">Largest B·M handled densely when the bank does not require grad.</param>
/// <param name="ChunkElements">Target B·(rows per chunk) on the bank path; about 16 MB of float32 per chunk by default.</param>
internal sealed record ChunkPolicy(long DenseElementLimit, long ChunkElements)
{
    /// <summary>Dense up to 16M similarities, chunks of about 4M similarities.</summary>
    public static ChunkPolicy Default { get; } = new(16L << 20, 4L << 20);

    /// <summary>True when the plain autograd path applies: the bank needs gradients, or B·M is small.</summary>
    public bool UseDense(NegativeSet set, long batch) =>
        set.Bank.requires_grad || batch * set.Bank.shape[0] <= DenseElementLimit;

    /// <summary>Bank rows per chunk for <paramref name="batch"/> anchors (at least one).</summary>
    public long Rows(long batch) => Math.Max(1, ChunkElements / Math.Max(1, batch));
}
