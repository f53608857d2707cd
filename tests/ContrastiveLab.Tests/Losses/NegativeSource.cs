namespace ContrastiveLab.Tests.Losses;

/// <summary>Where the negatives come from in a test case.</summary>
public enum NegativeSource
{
    /// <summary>Other positives of the batch.</summary>
    InBatch,

    /// <summary>Every bank row.</summary>
    Bank,

    /// <summary>Every bank row except the anchor's excluded one.</summary>
    BankExcluding,
}
