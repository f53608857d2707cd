namespace ContrastiveLab.Core.Losses;

/// <summary>Where a loss takes its negatives from. One call shape serves SimCLR, memory banks and queues.</summary>
public abstract record Negatives
{
    private Negatives()
    {
    }

    /// <summary>The other rows of the positive view (SimCLR style): anchor i's negatives are positives j ≠ i, B − 1 of them.</summary>
    public static Negatives InBatch { get; } = new InBatchNegatives();

    /// <summary>
    /// A shared set of negatives for every anchor, such as a memory bank or a queue.
    /// </summary>
    /// <param name="bank">(M, D) negatives on the unit sphere; never modified.</param>
    /// <param name="excludeIndex">Optional (B,) int64: row of <paramref name="bank"/> that holds anchor i's own
    /// entry and must not count as its negative (the memory bank's positive). Null: every row is a negative.</param>
    public static Negatives Shared(Tensor bank, Tensor? excludeIndex = null) => new SharedNegatives(bank, excludeIndex);

    /// <summary>The other rows of the positive view.</summary>
    public sealed record InBatchNegatives : Negatives;

    /// <summary>A shared (M, D) set with an optional (B,) index of each anchor's own row to exclude.</summary>
    public sealed record SharedNegatives(Tensor Bank, Tensor? ExcludeIndex) : Negatives;
}
