using System.Globalization;

namespace ContrastiveLab.Reports;

/// <summary>
/// Checks the paper's seven claims against the runs of one dataset. Each verdict comes with the numbers that decide
/// it, their 95 % intervals and the rule applied, so a reader can disagree with the threshold, not the arithmetic.
/// </summary>
public static class ClaimsChecker
{
    /// <summary>An accuracy gap (fraction, 0.03 = 3 points) at or above this counts as "far worse".</summary>
    public const double FarGap = 0.03;

    /// <summary>Hard-loss accuracy at most this far (fraction) below the contrastive loss counts as "as good".</summary>
    public const double AsGoodSlack = 0.01;

    /// <summary>Hard-loss −uniformity may fall this far below the contrastive loss's at the same τ and still count as "high".</summary>
    public const double UniformitySlack = 0.05;

    /// <summary>The paper's claims, in the paper's order.</summary>
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

    /// <summary>Level of every interval: two-sided 95 %.</summary>
    public const double Level = 0.95;

    /// <summary>Checks all seven claims.</summary>
    /// <param name="points">One dataset's cells, every seed kept (<see cref="SweepPoint.Aggregate"/>).</param>
    /// <param name="kind">Which accuracy <see cref="SweepPoint.Accuracy"/> holds.</param>
    /// <remarks>
    /// Each claim is a statement about a quantity computed from the cells' means over seeds (a slope against τ, a
    /// difference of two cells). The quantity gets a 95 % Student-t interval from the seed-to-seed variance pooled over
    /// every cell of the dataset with repeated seeds (<see cref="NoiseModel"/>). The verdict is SUPPORTED when the whole
    /// interval lies where the claim says, CONTRADICTED when the whole interval lies outside, INCONCLUSIVE when it
    /// straddles the boundary: two repeats of a sweep can then disagree only between a decided verdict and
    /// INCONCLUSIVE, unless one of them drew an interval that misses the truth (at most 2.5 % each way). Every verdict
    /// comes from the runs alone: the Fig. 3 curves (penalties over synthetic similarities) illustrate claim 1 but never
    /// decide it.
    /// </remarks>
    public static IReadOnlyList<ClaimResult> Check(IReadOnlyList<SweepPoint> points, AccuracyKind kind)
    {
        ArgumentNullException.ThrowIfNull(points);
        var contrastive = points.Where(p => p.Loss == "contrastive").OrderBy(p => p.Tau).ToArray();
        string acc = kind == AccuracyKind.Linear ? "linear top-1" : "kNN top-1";
        return
        [
            Result(1, EntropyClaim(points, contrastive)),
            Result(2, Trend(points, contrastive, SweepPoint.NegUniformityKey, "−uniformity", expectRise: false)),
            Result(3, Trend(points, contrastive, SweepPoint.ToleranceKey, "tolerance", expectRise: true)),
            Result(4, InvertedU(points, contrastive, acc)),
            Result(5, SimpleVsContrastive(points, contrastive, acc)),
            Result(6, HardVsContrastive(points, contrastive, acc)),
            Result(7, SingleLimit(points, contrastive)),
        ];
    }

    private sealed record Outcome(ClaimVerdict Verdict, string Evidence, IReadOnlyList<ClaimTest> Tests)
    {
        public static Outcome NotTestable(string why) => new(ClaimVerdict.NotTestable, why, []);
    }

    private static ClaimResult Result(int number, Outcome o) => new(number, Claims[number - 1], o.Verdict, o.Evidence) { Tests = o.Tests };

    /// <summary>Σ wᵢ·mean(cellᵢ) of <paramref name="metric"/> with its interval; an unbounded interval when the noise cannot be estimated.</summary>
    private static Estimate Contrast(IReadOnlyList<SweepPoint> points, string metric, params (double Weight, SweepPoint Cell)[] terms)
    {
        var noise = NoiseModel.For(points, metric);
        if (noise is not null)
        {
            return noise.Contrast(metric, terms);
        }
        double value = terms.Sum(t => t.Weight * t.Cell.Mean(metric)!.Value);
        return new Estimate(value, double.PositiveInfinity, double.PositiveInfinity,
            "no noise estimate: every cell has one run and this metric has no binomial model; run two or more seeds");
    }

    /// <summary>Supported when the whole interval is on the claim's side of the threshold, contradicted when wholly on the other.</summary>
    internal static ClaimTest Test(string quantity, Estimate e, double threshold, bool claimAbove, bool inPoints = false)
    {
        bool above = e.Low > threshold, below = e.High < threshold;
        var verdict = claimAbove
            ? above ? ClaimVerdict.Supported : below ? ClaimVerdict.Contradicted : ClaimVerdict.Inconclusive
            : below ? ClaimVerdict.Supported : above ? ClaimVerdict.Contradicted : ClaimVerdict.Inconclusive;
        return new ClaimTest(quantity, e, threshold, claimAbove, verdict) { InPoints = inPoints };
    }

    /// <summary>All parts supported: supported; any part contradicted: contradicted; otherwise inconclusive.</summary>
    private static ClaimVerdict Combine(IEnumerable<ClaimTest> tests)
    {
        var list = tests.ToArray();
        return list.Any(t => t.Verdict == ClaimVerdict.Contradicted) ? ClaimVerdict.Contradicted
            : list.All(t => t.Verdict == ClaimVerdict.Supported) ? ClaimVerdict.Supported
            : ClaimVerdict.Inconclusive;
    }

    /// <summary>The decision rule, in words, for the evidence text.</summary>
    private static string Rule => "Supported when the whole 95 % interval lies where the claim holds, contradicted when it lies wholly outside, inconclusive when it straddles the boundary.";

    private static string NoiseText(IEnumerable<ClaimTest> tests) =>
        "Noise: " + string.Join("; ", tests.Select(t => t.Estimate.Noise).Distinct()) + ".";

    /// <summary>"τ=0.2: 70.10 ± 0.40" with the standard error over seeds where there are two or more.</summary>
    private static string Cells(IEnumerable<SweepPoint> cells, string metric, bool percent) =>
        string.Join(", ", cells.Select(c =>
        {
            string M(double x) => percent ? (100 * x).ToString("0.00", CultureInfo.InvariantCulture) : x.ToString("0.000", CultureInfo.InvariantCulture);
            string se = c.StandardError(metric) is double s ? " ± " + M(s) : "";
            return $"τ={F(c.Tau)}: {M(c.Mean(metric)!.Value)}{se}{(percent ? "%" : "")} (n={c.Runs})";
        }));

    private static Outcome EntropyClaim(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive)
    {
        var measured = contrastive.Where(p => p.Mean(SweepPoint.PenaltyEntropyKey) is not null).ToArray();
        if (measured.Length < 3)
        {
            return Outcome.NotTestable($"needs contrastive runs at ≥ 3 τ with penalty_entropy recorded; have {measured.Length}. (The Fig. 3 curves, computed on synthetic similarities, illustrate the claim but do not decide it.)");
        }
        var o = Trend(points, measured, SweepPoint.PenaltyEntropyKey, "the entropy of r_i (each run at its own τ)", expectRise: true);
        return o with { Evidence = o.Evidence + " Penalty entropies come from the runs' final diagnostics." };
    }

    /// <summary>
    /// The least-squares slope of a metric's cell means against log₂ τ over the contrastive cells (needs ≥ 3 τ): its
    /// sign is the trend. The slope is a weighted sum of cell means, so its interval follows from the pooled noise.
    /// </summary>
    private static Outcome Trend(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, string metric, string name, bool expectRise)
    {
        var usable = contrastive.Where(p => p.Mean(metric) is not null).ToArray();
        if (usable.Length < 3)
        {
            return Outcome.NotTestable($"needs contrastive runs at ≥ 3 τ with {name} recorded; have {usable.Length}.");
        }
        double[] x = usable.Select(p => Math.Log2(p.Tau)).ToArray();
        double xMean = x.Average(), sxx = x.Sum(v => (v - xMean) * (v - xMean));
        var terms = usable.Select((p, i) => ((x[i] - xMean) / sxx, p)).ToArray();
        var test = Test($"slope of {name} per doubling of τ", Contrast(points, metric, terms), 0, claimAbove: expectRise);
        double rho = RankStatistics.Spearman(usable.Select(p => p.Tau).ToArray(), usable.Select(p => p.Mean(metric)!.Value).ToArray());
        return new Outcome(test.Verdict,
            $"{test.Describe()}. Spearman ρ(τ, {name}) of the means = {F(rho)} over {usable.Length} τ ({Cells(usable, metric, false)}). {Rule} {NoiseText([test])}",
            [test]);
    }

    /// <summary>The best interior τ must beat both ends of the grid.</summary>
    private static Outcome InvertedU(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, string acc)
    {
        const string m = SweepPoint.AccuracyKey;
        var usable = contrastive.Where(p => p.Accuracy is not null).ToArray();
        if (usable.Length < 3)
        {
            return Outcome.NotTestable($"needs contrastive runs at ≥ 3 τ; have {usable.Length}.");
        }
        var best = usable[1..^1].MaxBy(p => p.Accuracy!.Value)!;
        int candidates = usable.Length - 2;
        ClaimTest[] tests =
        [
            Test($"{acc} at τ = {F(best.Tau)} minus τ = {F(usable[0].Tau)}", Contrast(points, m, (1, best), (-1, usable[0])) with { ChosenFrom = candidates }, 0, claimAbove: true, inPoints: true),
            Test($"{acc} at τ = {F(best.Tau)} minus τ = {F(usable[^1].Tau)}", Contrast(points, m, (1, best), (-1, usable[^1])) with { ChosenFrom = candidates }, 0, claimAbove: true, inPoints: true),
        ];
        var overall = usable.MaxBy(p => p.Accuracy!.Value)!;
        bool inPaperRange = overall.Tau >= 0.2 - 1e-9 && overall.Tau <= 0.3 + 1e-9;
        return new Outcome(Combine(tests),
            $"the best interior τ must beat both ends of the grid [{F(usable[0].Tau)}, {F(usable[^1].Tau)}]: {string.Join("; ", tests.Select(t => t.Describe()))}. " +
            $"Highest mean at τ = {F(overall.Tau)}, {(inPaperRange ? "inside" : "outside")} the paper's 0.2–0.3 ({Cells(usable, m, true)}). {Rule} {NoiseText(tests)}",
            tests);
    }

    private static Outcome SimpleVsContrastive(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, string acc)
    {
        var simple = points.FirstOrDefault(p => p.Loss == "simple" && p.Accuracy is not null);
        var measured = contrastive.Where(p => p.Accuracy is not null).ToArray();
        var best = measured.MaxBy(p => p.Accuracy!.Value);
        if (simple is null || best is null)
        {
            return Outcome.NotTestable($"needs a simple-loss run and a contrastive run; have {(simple is null ? "no simple run" : "no contrastive run")}.");
        }
        var test = Test($"{acc} of the best contrastive τ = {F(best.Tau)} minus simple", Contrast(points, SweepPoint.AccuracyKey, (1, best), (-1, simple)) with { ChosenFrom = measured.Length }, FarGap, claimAbove: true, inPoints: true);
        return new Outcome(test.Verdict,
            $"simple {P(simple.Accuracy!.Value)} (n={simple.Runs}) vs best contrastive {P(best.Accuracy!.Value)} (n={best.Runs}): {test.Describe()}; \"far worse\" means a gap above {Pt(FarGap)}. {Rule} {NoiseText([test])}",
            [test]);
    }

    private static Outcome HardVsContrastive(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive, string acc)
    {
        var hard = points.Where(p => p.Loss == "hard").OrderBy(p => p.Tau).ToArray();
        var pairs = hard.Select(h => (Hard: h, Plain: contrastive.FirstOrDefault(c => Math.Abs(c.Tau - h.Tau) < 1e-9)))
            .Where(x => x.Plain is not null && x.Hard.NegUniformity is not null && x.Plain.NegUniformity is not null && x.Hard.Accuracy is not null && x.Plain.Accuracy is not null)
            .Select(x => (x.Hard, Plain: x.Plain!)).ToArray();
        if (pairs.Length == 0)
        {
            return Outcome.NotTestable($"needs hard and contrastive runs at a common τ; have hard at τ = [{string.Join(", ", hard.Select(h => F(h.Tau)))}] and contrastive at τ = [{string.Join(", ", contrastive.Select(c => F(c.Tau)))}].");
        }
        var uniformity = pairs.Select(x => Test($"−uniformity hard minus contrastive at τ = {F(x.Hard.Tau)}",
            Contrast(points, SweepPoint.NegUniformityKey, (1, x.Hard), (-1, x.Plain)), -UniformitySlack, claimAbove: true)).ToArray();
        var large = pairs.MaxBy(x => x.Hard.Tau);
        var accuracy = Test($"{acc} hard minus contrastive at τ = {F(large.Hard.Tau)}",
            Contrast(points, SweepPoint.AccuracyKey, (1, large.Hard), (-1, large.Plain)), -AsGoodSlack, claimAbove: true, inPoints: true);
        ClaimTest[] tests = [.. uniformity, accuracy];
        string spread = "";
        var hardUnif = hard.Where(h => h.NegUniformity is not null).Select(h => h.NegUniformity!.Value).ToArray();
        var plainUnif = contrastive.Where(c => c.NegUniformity is not null).Select(c => c.NegUniformity!.Value).ToArray();
        if (hardUnif.Length >= 2 && plainUnif.Length >= 2)
        {
            spread = $" For orientation (not part of the verdict): −uniformity spread over τ, hard {F(hardUnif.Max() - hardUnif.Min())} vs contrastive {F(plainUnif.Max() - plainUnif.Min())}.";
        }
        return new Outcome(Combine(tests),
            $"{string.Join("; ", uniformity.Select(t => t.Describe()))}; {accuracy.Describe()}.{spread} {Rule} {NoiseText(tests)}",
            tests);
    }

    /// <summary>Gains are per run: final kNN minus the same run's untrained encoder, so seeds' different initialisations cancel.</summary>
    private static Outcome SingleLimit(IReadOnlyList<SweepPoint> points, SweepPoint[] contrastive)
    {
        const string g = SweepPoint.KnnGainKey;
        var single = points.FirstOrDefault(p => p.Loss == "single");
        var gained = contrastive.Where(c => c.Mean(g) is not null).ToArray();
        if (single is null || gained.Length == 0 || single.Mean(g) is null)
        {
            return Outcome.NotTestable(single is null ? "needs a run of the single loss (the τ → 0 limit, Eq. 6)." : "needs a contrastive run and each run's untrained-encoder kNN (epoch 0 of metrics.csv).");
        }
        var best = gained.MaxBy(c => c.Mean(g)!.Value)!;
        var learns = Test($"kNN gain of contrastive τ = {F(best.Tau)} over its untrained encoder", Contrast(points, g, (1, best)) with { ChosenFrom = gained.Length }, 0, claimAbove: true, inPoints: true);
        string numbers = $"kNN top-1 gains over each run's own untrained encoder: single {Pt(single.Mean(g)!.Value)} (n={single.Runs}), best contrastive τ = {F(best.Tau)} {Pt(best.Mean(g)!.Value)} (n={best.Runs})";
        if (learns.Verdict != ClaimVerdict.Supported)
        {
            return new Outcome(ClaimVerdict.Inconclusive,
                $"{numbers}: {learns.Describe()}, so no contrastive run clearly improved on the untrained encoder and \"learns little\" has nothing to compare with. {NoiseText([learns])}",
                [learns]);
        }
        var test = Test("half the best contrastive gain minus the single loss's gain", Contrast(points, g, (0.5, best), (-1, single)) with { ChosenFrom = gained.Length }, 0, claimAbove: true, inPoints: true);
        return new Outcome(test.Verdict,
            $"{numbers}; {learns.Describe()}; {test.Describe()}: the single loss \"learns little\" when it gains at most half of what the best contrastive τ gains. {Rule} {NoiseText([learns, test])}",
            [learns, test]);
    }

    /// <summary>A plain number with three significant decimals.</summary>
    internal static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage.</summary>
    internal static string P(double x) => (100 * x).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    /// <summary>A signed plain number with three decimals.</summary>
    internal static string Signed(double x) => x.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture);

    /// <summary>A difference of fractions as signed percentage points.</summary>
    internal static string Pt(double x) => (100 * x).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + " points";
}
