namespace ContrastiveLab.Reports;

/// <summary>One claim of PAPER.md section 5, checked against our runs.</summary>
/// <param name="Number">1 to 7, as numbered in the paper.</param>
/// <param name="Claim">The claim in words.</param>
/// <param name="Verdict">Supported, contradicted or not testable.</param>
/// <param name="Evidence">The deciding numbers and the rule applied, or why the claim cannot be tested.</param>
public sealed record ClaimResult(int Number, string Claim, ClaimVerdict Verdict, string Evidence);
