using System.Globalization;

namespace ContrastiveLab.Reports;

/// <summary>
/// Checks the seven claims of PAPER.md section 5 against the runs of one dataset. Each verdict comes with the
/// numbers that decide it and the rule applied, so a reader can disagree with the threshold, not the arithmetic.
/// </summary>
public static class ClaimsChecker
{
    /// <summary>|Spearman ρ| at or above this, with the claimed sign, supports a monotone trend.</summary>
    public const double TrendRho = 0.5;

    /// <summary>An accuracy gap (fraction, 0.03 = 3 points) at or above this counts as "far worse".</summary>
    public const double FarGap = 0.03;

    /// <summary>Hard-loss accuracy at most this far (fraction) below the contrastive loss counts as "as good".</summary>
    public const double AsGoodSlack = 0.01;

    /// <summary>Hard-loss −uniformity may fall this far below the contrastive loss's at the same τ and still count as "high".</summary>
    public const double UniformitySlack = 0.05;

    /// <summary>The paper's claims, numbered as in PAPER.md section 5.</summary>
    public static IReadOnlyList<string> Claims { get; } =
    [
        "Small τ concentrates the penalty on the nearest negatives (the entropy of r_i grows with τ).",
        "Uniformity falls as τ grows.",
        "Tolerance rises as τ grows.",
        "Accuracy is an inverted U in τ, best at 0.2–0.3.",
        "The simple loss is far worse than the contrastive loss at a good τ.",
        "The hard contrastive loss keeps uniformity high at every τ and is as good or better at large τ.",
        "The τ → 0 limit (the single loss) learns little.",
    ];

    /// <summary>Checks all seven claims.</summary>
    /// <param name="points">Per loss and τ means of one dataset's runs (<see cref="SweepPoint.Aggregate"/>).</param>
    /// <param name="kind">Which accuracy <see cref="SweepPoint.Accuracy"/> holds.</param>
    /// <param name="untrainedKnn">kNN top-1 of the untrained encoder (epoch 0), null when unknown.</param>
    /// <remarks>Every verdict comes from the runs alone: the Fig. 3 curves (penalties over evenly spread synthetic
    /// similarities) illustrate claim 1 in the report but never decide it.</remarks>
    public static IReadOnlyList<ClaimResult> Check(IReadOnlyList<SweepPoint> points, AccuracyKind kind, double? untrainedKnn)
    {
        ArgumentNullException.ThrowIfNull(points);
        var contrastive = points.Where(p => p.Loss == "contrastive").OrderBy(p => p.Tau).ToArray();
        string acc = kind == AccuracyKind.Linear ? "linear top-1" : "kNN top-1";
        return
        [
            Result(1, EntropyClaim(contrastive)),
            Result(2, Trend(contrastive, p => p.NegUniformity, "−uniformity", expectRise: false)),
            Result(3, Trend(contrastive, p => p.Tolerance, "tolerance", expectRise: true)),
            Result(4, InvertedU(contrastive, acc)),
            Result(5, SimpleVsContrastive(points, contrastive, acc)),
            Result(6, HardVsContrastive(points, contrastive, acc)),
            Result(7, SingleLimit(points, contrastive, untrainedKnn)),
        ];
    }

    private static ClaimResult Result(int number, (ClaimVerdict Verdict, string Evidence) r) => new(number, Claims[number - 1], r.Verdict, r.Evidence);

    private static (ClaimVerdict, string) EntropyClaim(SweepPoint[] contrastive)
    {
        var measured = contrastive.Where(p => p.PenaltyEntropy is not null).ToArray();
        if (measured.Length < 3)
        {
            return (ClaimVerdict.NotTestable, $"needs contrastive runs at ≥ 3 τ with penalty_entropy recorded; have {measured.Length}. (The Fig. 3 curves, computed on synthetic similarities, illustrate the claim but do not decide it.)");
        }
        var (verdict, evidence) = Trend(measured, p => p.PenaltyEntropy, "the entropy of r_i (each run at its own τ)", expectRise: true);
        return (verdict, evidence + " Penalty entropies come from the runs' final diagnostics.");
    }

    /// <summary>Spearman ρ of a metric against τ over the contrastive points; needs ≥ 3 distinct τ.</summary>
    private static (ClaimVerdict, string) Trend(SweepPoint[] contrastive, Func<SweepPoint, double?> metric, string name, bool expectRise)
    {
        var usable = contrastive.Where(p => metric(p) is not null).ToArray();
        if (usable.Length < 3)
        {
            return (ClaimVerdict.NotTestable, $"needs contrastive runs at ≥ 3 τ with {name} recorded; have {usable.Length}.");
        }
        double rho = RankStatistics.Spearman(usable.Select(p => p.Tau).ToArray(), usable.Select(p => metric(p)!.Value).ToArray());
        bool supported = expectRise ? rho >= TrendRho : rho <= -TrendRho;
        string rule = expectRise ? $"supported when ρ ≥ {F(TrendRho)}" : $"supported when ρ ≤ −{F(TrendRho)}";
        string list = string.Join(", ", usable.Select(p => $"τ={F(p.Tau)}: {F(metric(p)!.Value)}"));
        return (supported ? ClaimVerdict.Supported : ClaimVerdict.Contradicted, $"Spearman ρ(τ, {name}) = {F(rho)} over {usable.Length} τ ({list}); {rule}.");
    }

    private static (ClaimVerdict, string) InvertedU(SweepPoint[] contrastive, string acc)
    {
        var usable = contrastive.Where(p => p.Accuracy is not null).ToArray();
        if (usable.Length < 3)
        {
            return (ClaimVerdict.NotTestable, $"needs contrastive runs at ≥ 3 τ; have {usable.Length}.");
        }
        var best = usable.MaxBy(p => p.Accuracy!.Value)!;
        bool interior = best.Tau > usable[0].Tau && best.Tau < usable[^1].Tau;
        bool inPaperRange = best.Tau >= 0.2 - 1e-9 && best.Tau <= 0.3 + 1e-9;
        string list = string.Join(", ", usable.Select(p => $"τ={F(p.Tau)}: {P(p.Accuracy!.Value)}"));
        string where = inPaperRange ? "inside the paper's 0.2–0.3" : "outside the paper's 0.2–0.3";
        return interior
            ? (ClaimVerdict.Supported, $"best {acc} {P(best.Accuracy!.Value)} at τ = {F(best.Tau)}, strictly inside the grid [{F(usable[0].Tau)}, {F(usable[^1].Tau)}] and {where} ({list}).")
            : (ClaimVerdict.Contradicted, $"best {acc} {P(best.Accuracy!.Value)} at τ = {F(best.Tau)}, an end of the grid [{F(usable[0].Tau)}, {F(usable[^1].Tau)}], so no inverted U ({list}).");
    }

    private static (ClaimVerdict, string) SimpleVsContrastive(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, string acc)
    {
        var simple = points.FirstOrDefault(p => p.Loss == "simple" && p.Accuracy is not null);
        var best = contrastive.Where(p => p.Accuracy is not null).MaxBy(p => p.Accuracy!.Value);
        if (simple is null || best is null)
        {
            return (ClaimVerdict.NotTestable, $"needs a simple-loss run and a contrastive run; have {(simple is null ? "no simple run" : "no contrastive run")}.");
        }
        double gap = best.Accuracy!.Value - simple.Accuracy!.Value;
        return (gap >= FarGap ? ClaimVerdict.Supported : ClaimVerdict.Contradicted,
            $"simple {P(simple.Accuracy.Value)} vs best contrastive {P(best.Accuracy.Value)} (τ = {F(best.Tau)}) in {acc}: gap {Pt(gap)}; supported when the gap ≥ {Pt(FarGap)}.");
    }

    private static (ClaimVerdict, string) HardVsContrastive(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, string acc)
    {
        var hard = points.Where(p => p.Loss == "hard").OrderBy(p => p.Tau).ToArray();
        var pairs = hard.Select(h => (Hard: h, Plain: contrastive.FirstOrDefault(c => Math.Abs(c.Tau - h.Tau) < 1e-9)))
            .Where(x => x.Plain is not null && x.Hard.NegUniformity is not null && x.Plain.NegUniformity is not null && x.Hard.Accuracy is not null && x.Plain.Accuracy is not null)
            .Select(x => (x.Hard, Plain: x.Plain!)).ToArray();
        if (pairs.Length == 0)
        {
            return (ClaimVerdict.NotTestable, $"needs hard and contrastive runs at a common τ; have hard at τ = [{string.Join(", ", hard.Select(h => F(h.Tau)))}] and contrastive at τ = [{string.Join(", ", contrastive.Select(c => F(c.Tau)))}].");
        }
        bool uniformHigh = pairs.All(x => x.Hard.NegUniformity!.Value >= x.Plain.NegUniformity!.Value - UniformitySlack);
        string spread = "";
        var hardUnif = hard.Where(h => h.NegUniformity is not null).Select(h => h.NegUniformity!.Value).ToArray();
        var plainUnif = contrastive.Where(c => c.NegUniformity is not null).Select(c => c.NegUniformity!.Value).ToArray();
        if (hardUnif.Length >= 2 && plainUnif.Length >= 2)
        {
            double hs = hardUnif.Max() - hardUnif.Min(), cs = plainUnif.Max() - plainUnif.Min();
            uniformHigh &= hs <= cs;
            spread = $" −uniformity spread over τ: hard {F(hs)} vs contrastive {F(cs)} (hard must be no larger).";
        }
        var large = pairs.MaxBy(x => x.Hard.Tau);
        double gap = large.Hard.Accuracy!.Value - large.Plain.Accuracy!.Value;
        bool asGood = gap >= -AsGoodSlack;
        string perTau = string.Join("; ", pairs.Select(x => $"τ={F(x.Hard.Tau)}: −unif hard {F(x.Hard.NegUniformity!.Value)} vs contrastive {F(x.Plain.NegUniformity!.Value)}"));
        return (uniformHigh && asGood ? ClaimVerdict.Supported : ClaimVerdict.Contradicted,
            $"{perTau} (hard must be ≥ contrastive − {F(UniformitySlack)}: {(uniformHigh ? "yes" : "no")}).{spread} At the largest common τ = {F(large.Hard.Tau)}: {acc} hard {P(large.Hard.Accuracy.Value)} vs contrastive {P(large.Plain.Accuracy.Value)} ({Pt(gap)}; as good when ≥ {Pt(-AsGoodSlack)}: {(asGood ? "yes" : "no")}).");
    }

    private static (ClaimVerdict, string) SingleLimit(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, double? untrainedKnn)
    {
        var single = points.FirstOrDefault(p => p.Loss == "single");
        if (single is null || contrastive.Length == 0 || untrainedKnn is null)
        {
            return (ClaimVerdict.NotTestable, single is null ? "needs a run of the single loss (the τ → 0 limit, Eq. 6)." : "needs a contrastive run and the untrained encoder's kNN (epoch 0 of metrics.csv).");
        }
        var best = contrastive.MaxBy(p => p.Knn)!;
        double bestGain = best.Knn - untrainedKnn.Value, singleGain = single.Knn - untrainedKnn.Value;
        string numbers = $"kNN top-1: untrained {P(untrainedKnn.Value)}, single {P(single.Knn)} ({Pt(singleGain)}), best contrastive {P(best.Knn)} at τ = {F(best.Tau)} ({Pt(bestGain)})";
        if (bestGain <= 0)
        {
            return (ClaimVerdict.NotTestable, $"{numbers}: no contrastive run improved on the untrained encoder, so \"learns little\" has nothing to compare with.");
        }
        return (singleGain <= bestGain / 2 ? ClaimVerdict.Supported : ClaimVerdict.Contradicted,
            $"{numbers}; supported when the single loss gains at most half of what the best contrastive run gains over the untrained encoder.");
    }

    /// <summary>A plain number with three significant decimals.</summary>
    internal static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage.</summary>
    internal static string P(double x) => (100 * x).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>A difference of fractions as signed percentage points.</summary>
    internal static string Pt(double x) => (100 * x).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + " points";
}
