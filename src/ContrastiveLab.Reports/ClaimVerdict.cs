namespace ContrastiveLab.Reports;

/// <summary>What our runs say about one of the paper's claims.</summary>
public enum ClaimVerdict
{
    /// <summary>The deciding numbers agree with the claim.</summary>
    Supported,

    /// <summary>The deciding numbers disagree with the claim.</summary>
    Contradicted,

    /// <summary>The deciding interval straddles the claim's boundary: the noise is too large to tell.</summary>
    Inconclusive,

    /// <summary>The runs needed to decide are missing; the evidence says which.</summary>
    NotTestable,
}

/// <summary>Verdicts as people read them.</summary>
public static class ClaimVerdictWords
{
    /// <summary>"supported", "contradicted", "inconclusive" or "not testable".</summary>
    public static string Words(this ClaimVerdict verdict) => verdict switch
    {
        ClaimVerdict.Supported => "supported",
        ClaimVerdict.Contradicted => "contradicted",
        ClaimVerdict.Inconclusive => "inconclusive",
        _ => "not testable",
    };
}
