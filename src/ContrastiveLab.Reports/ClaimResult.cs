namespace ContrastiveLab.Reports;

/// <summary>One claim of the paper, checked against our runs.</summary>
/// <param name="Number">1 to 7, in the order of <see cref="ClaimsChecker.Claims"/>.</param>
/// <param name="Claim">The claim in words.</param>
/// <param name="Verdict">Supported, contradicted, inconclusive or not testable.</param>
/// <param name="Evidence">The deciding numbers, their intervals and the rule applied, or why the claim cannot be tested.</param>
public sealed record ClaimResult(int Number, string Claim, ClaimVerdict Verdict, string Evidence)
{
    /// <summary>The quantities that decided the verdict, each with its interval; empty when not testable.</summary>
    public IReadOnlyList<ClaimTest> Tests { get; init; } = [];

    /// <summary>
    /// "supported: slope … = −0.210, 95 % interval […]": the verdict and the quantity that decided it (the first
    /// contradicted one, else the first inconclusive one, else the first), for one console line.
    /// </summary>
    public string Headline()
    {
        var deciding = Tests.FirstOrDefault(t => t.Verdict == ClaimVerdict.Contradicted)
            ?? Tests.FirstOrDefault(t => t.Verdict == ClaimVerdict.Inconclusive) ?? Tests.FirstOrDefault();
        return deciding is null ? $"{Verdict.Words()} ({Evidence.Split(';')[0].TrimEnd('.')})" : $"{Verdict.Words()}: {deciding.Describe(withVerdict: false)}";
    }
}

/// <summary>One quantity a verdict rests on: the claim holds where <see cref="Quantity"/> is at least (or below) <see cref="Threshold"/>.</summary>
/// <param name="Quantity">What was estimated, in words.</param>
/// <param name="Estimate">The estimate and its 95 % interval.</param>
/// <param name="Threshold">The boundary of the region where the claim holds.</param>
/// <param name="ClaimAbove">True when the claim holds above the threshold, false when below.</param>
/// <param name="Verdict">Supported when the whole interval is inside the claim's region, contradicted when it is wholly outside, inconclusive otherwise.</param>
public sealed record ClaimTest(string Quantity, Estimate Estimate, double Threshold, bool ClaimAbove, ClaimVerdict Verdict)
{
    /// <summary>The quantity is a difference of accuracies (fractions), shown in percentage points.</summary>
    public bool InPoints { get; init; }

    /// <summary>"name = value, 95 % interval [low, high] (the claim holds above t: supported)".</summary>
    public string Describe(bool withVerdict = true)
    {
        string V(double x) => InPoints ? ClaimsChecker.Pt(x) : ClaimsChecker.Signed(x);
        string chosen = Estimate.ChosenFrom > 1 ? $" for the best of {Estimate.ChosenFrom} (Bonferroni: {(100 - 5.0 / Estimate.ChosenFrom).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} % each)" : "";
        string interval = double.IsFinite(Estimate.StandardError) ? $"95 % interval{chosen} [{V(Estimate.Low)}, {V(Estimate.High)}]" : "no interval";
        string holds = $"the claim holds {(ClaimAbove ? "above" : "below")} {V(Threshold)}";
        return $"{Quantity} = {V(Estimate.Value)}, {interval} ({holds}{(withVerdict ? ": " + Verdict.Words() : "")})";
    }
}
