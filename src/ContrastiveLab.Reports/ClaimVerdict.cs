namespace ContrastiveLab.Reports;

/// <summary>What our runs say about one of the paper's claims.</summary>
public enum ClaimVerdict
{
    /// <summary>The deciding numbers agree with the claim.</summary>
    Supported,

    /// <summary>The deciding numbers disagree with the claim.</summary>
    Contradicted,

    /// <summary>The runs needed to decide are missing; the evidence says which.</summary>
    NotTestable,
}
