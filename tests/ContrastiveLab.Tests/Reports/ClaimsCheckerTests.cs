using ContrastiveLab.Reports;

namespace ContrastiveLab.Tests.Reports;

public sealed class ClaimsCheckerTests
{
    private static IReadOnlyList<ClaimResult> Check(string root)
    {
        var runs = RunFolderReader.ReadAll(root).Runs;
        var points = SweepPoint.Aggregate(runs, AccuracyKind.Knn);
        return ClaimsChecker.Check(points, AccuracyKind.Knn);
    }

    [Fact]
    public void A_sweep_shaped_like_the_paper_supports_every_claim_with_an_interval()
    {
        // Three seeds, ±0.5 points (or ±0.005) of seed noise: every claim's margin is far wider than its interval.
        var claims = Check(SyntheticRuns.Sweep(reversed: false, seeds: 3, jitter: 0.005));
        Assert.Equal(7, claims.Count);
        Assert.All(claims, c => Assert.Equal(ClaimVerdict.Supported, c.Verdict));
        Assert.All(claims, c => Assert.All(c.Tests, t =>
        {
            Assert.True(double.IsFinite(t.Estimate.StandardError) && t.Estimate.StandardError > 0, c.Evidence);
            Assert.True(t.Estimate.Low < t.Estimate.Value && t.Estimate.Value < t.Estimate.High, c.Evidence);
            Assert.Equal(ClaimVerdict.Supported, t.Verdict);
        }));
        Assert.Contains("Spearman ρ(τ, −uniformity) of the means = -1", claims[1].Evidence, StringComparison.Ordinal);
        Assert.Contains("95 % interval", claims[1].Evidence, StringComparison.Ordinal);
        Assert.Contains("pooled over 10 loss/τ cells with repeated seeds (20 degrees of freedom", claims[1].Evidence, StringComparison.Ordinal);
        Assert.Contains("at τ = 0.3 minus τ = 0.07 = +20.00 points", claims[3].Evidence, StringComparison.Ordinal);
        // Simple .50 vs best contrastive .80: +30 points; the pooled SD is 0.5 points, so the SE of the gap is 0.5·√(2/3).
        var gap = claims[4].Tests.Single().Estimate;
        Assert.Equal(0.30, gap.Value, 9);
        Assert.Equal(0.005 * Math.Sqrt(2.0 / 3), gap.StandardError, 9);
        // The best of four contrastive cells: the interval covers 1 − 0.05/4 (Bonferroni), wider than t(0.975, 20 df) = 2.0860.
        Assert.Equal(4, gap.ChosenFrom);
        double t = SeedStatistics.TwoSidedT(1 - 0.05 / 4, 20);
        Assert.True(t > 2.0860);
        Assert.Equal(0.30 - t * gap.StandardError, gap.Low, 9);
        Assert.Equal(0.30 - 2.0860 * gap.StandardError, (gap with { ChosenFrom = 1 }).Low, 6);
        Assert.StartsWith("supported: kNN top-1 of the best contrastive τ = 0.3 minus simple = +30.00 points, 95 % interval for the best of 4 (Bonferroni: 98.75 % each) [+28.", claims[4].Headline(), StringComparison.Ordinal);
        Assert.EndsWith("(the claim holds above +3.00 points)", claims[4].Headline(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_reversed_sweep_is_reported_as_contradicted()
    {
        var claims = Check(SyntheticRuns.Sweep(reversed: true, seeds: 3, jitter: 0.005));
        Assert.All(claims, c => Assert.Equal(ClaimVerdict.Contradicted, c.Verdict));
        Assert.Contains("Spearman ρ(τ, tolerance) of the means = -1", claims[2].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Noisy_ties_come_out_inconclusive()
    {
        // Every quantity sits on its claim's boundary, with seed noise of ±3 points (±0.03): nothing can be decided.
        string root = SyntheticRuns.NewRoot();
        double[] taus = [0.07, 0.2, 0.5, 1.0];
        for (int s = 0; s < 3; s++)
        {
            double j = (s - 1) * 0.03;
            foreach (double tau in taus)
            {
                SyntheticRuns.Write(root, $"c-{tau}-s{s}", "contrastive", tau, 0.70 + j, negUniformity: 3 + j, tolerance: 0.3 + j, entropy: 5 + j, seed: s, untrainedKnn: 0.5);
            }
            SyntheticRuns.Write(root, $"simple-s{s}", "simple", 1, 0.67 + j, 2 + j, 0.5 + j, seed: s, untrainedKnn: 0.5);            // gap exactly 3 points
            SyntheticRuns.Write(root, $"hard-s{s}", "hard", 1, 0.69 + j, 2.95 + j, 0.2 + j, seed: s, untrainedKnn: 0.5);             // −0.05 uniformity, −1 point
            SyntheticRuns.Write(root, $"single-s{s}", "single", 1, 0.60 + j, 3 + j, 0.1 + j, seed: s, untrainedKnn: 0.5);          // gains 10 = half of 20
        }
        var claims = Check(root);
        Assert.All(claims, c => Assert.True(c.Verdict == ClaimVerdict.Inconclusive, $"claim {c.Number}: {c.Verdict}: {c.Evidence}"));
        Assert.Contains("straddles", claims[4].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_seed_sweep_decides_accuracy_claims_on_test_image_noise_and_says_so_and_leaves_the_rest_inconclusive()
    {
        var claims = Check(SyntheticRuns.Sweep(reversed: false));
        // Accuracies: binomial noise over the 50 test images of each synthetic run, flagged as too narrow.
        Assert.Contains("binomial noise of the test images", claims[4].Evidence, StringComparison.Ordinal);
        Assert.True(double.IsPositiveInfinity(claims[4].Tests.Single().Estimate.DegreesOfFreedom));
        // Uniformity and tolerance have no model without repeated seeds.
        Assert.Equal(ClaimVerdict.Inconclusive, claims[1].Verdict);
        Assert.Contains("no noise estimate", claims[1].Evidence, StringComparison.Ordinal);
        Assert.Equal(ClaimVerdict.Inconclusive, claims[2].Verdict);
    }

    [Fact]
    public void Repeats_at_the_boundary_rarely_decide_and_repeats_with_a_clear_margin_almost_always_do()
    {
        // A seeded simulation of the claim-5 test: simple vs one contrastive cell, 3 seeds each, seed SD 1 point.
        var random = new Random(11);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        SweepPoint Cell(string loss, double mean) => new(loss, 0.2, 3,
            new Dictionary<string, IReadOnlyList<double>> { [SweepPoint.AccuracyKey] = Enumerable.Range(0, 3).Select(_ => mean + 0.01 * Normal()).ToArray() }, 10_000);
        int DecidedAt(double trueGap, ClaimVerdict verdict)
        {
            int n = 0;
            for (int i = 0; i < 400; i++)
            {
                var claims = ClaimsChecker.Check([Cell("contrastive", 0.70), Cell("simple", 0.70 - trueGap)], AccuracyKind.Knn);
                n += claims[4].Verdict == verdict ? 1 : 0;
            }
            return n;
        }
        // At the boundary (a true gap of exactly 3 points) each decided verdict is a 2.5 % event: expect about 10 of 400.
        Assert.InRange(DecidedAt(ClaimsChecker.FarGap, ClaimVerdict.Supported), 0, 25);
        Assert.InRange(DecidedAt(ClaimsChecker.FarGap, ClaimVerdict.Contradicted), 0, 25);
        // Eight points clear of the boundary, the interval (about ±2.3 points: SE 0.82, t(4 df) 2.78) almost always excludes it.
        Assert.InRange(DecidedAt(0.11, ClaimVerdict.Supported), 390, 400);
        Assert.InRange(DecidedAt(-0.05, ClaimVerdict.Contradicted), 390, 400);
    }

    [Fact]
    public void Picking_the_best_of_several_cells_no_longer_decides_more_often_than_the_interval_says()
    {
        // Four contrastive cells with the same true accuracy, exactly 3 points above simple (claim 5's boundary), 3 seeds
        // each, seed SD 1 point. The best cell by mean is biased upwards, so an interval that ignored the choice would
        // call the gap "far" far more often than 2.5 % of the time; the Bonferroni interval keeps it at or below that.
        var random = new Random(5);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        SweepPoint Cell(string loss, double tau, double mean) => new(loss, tau, 3,
            new Dictionary<string, IReadOnlyList<double>> { [SweepPoint.AccuracyKey] = Enumerable.Range(0, 3).Select(_ => mean + 0.01 * Normal()).ToArray() }, 10_000);
        int corrected = 0, naive = 0;
        const int Repeats = 1000;
        for (int i = 0; i < Repeats; i++)
        {
            SweepPoint[] cells = [Cell("contrastive", 0.1, 0.70), Cell("contrastive", 0.2, 0.70), Cell("contrastive", 0.5, 0.70), Cell("contrastive", 1, 0.70), Cell("simple", 1, 0.67)];
            var test = ClaimsChecker.Check(cells, AccuracyKind.Knn)[4].Tests.Single();
            Assert.Equal(4, test.Estimate.ChosenFrom);
            corrected += test.Verdict == ClaimVerdict.Supported ? 1 : 0;
            naive += (test.Estimate with { ChosenFrom = 1 }).Low > ClaimsChecker.FarGap ? 1 : 0;
        }
        // Expected: at most 25 of 1000 corrected; about 80 of 1000 naive (the best of four correlated gaps).
        Assert.InRange(corrected, 0, 35);
        Assert.InRange(naive, 50, 150);
    }

    [Fact]
    public void Two_sided_t_quantiles_match_tables_and_the_density_they_come_from()
    {
        for (int dof = 1; dof <= 30; dof++)
        {
            Assert.InRange(Math.Abs(SeedStatistics.TwoSidedT(0.95, dof) - SeedStatistics.TQuantile975(dof)), 0, 6e-5);
        }
        Assert.Equal(63.656741, SeedStatistics.TwoSidedT(0.99, 1), 5);
        Assert.Equal(3.169273, SeedStatistics.TwoSidedT(0.99, 10), 5);
        Assert.Equal(1.959964, SeedStatistics.TwoSidedT(0.95, double.PositiveInfinity), 6);
        Assert.Equal(2.575829, SeedStatistics.TwoSidedT(0.99, double.PositiveInfinity), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => SeedStatistics.TwoSidedT(0.95, 2.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeedStatistics.TwoSidedT(1, 3));
        // Independently: integrate Student's density from −q to q (Simpson's rule) and get the coverage back.
        foreach (int dof in new[] { 2, 3, 6, 11 })
        {
            foreach (int k in new[] { 2, 3, 4, 10 })
            {
                double coverage = 1 - 0.05 / k, q = SeedStatistics.TwoSidedT(coverage, dof);
                Assert.InRange(Math.Abs(2 * Simpson(x => StudentDensity(x, dof), 0, q, 20_000) - coverage), 0, 1e-8);
            }
        }
        Assert.InRange(Math.Abs(2 * Simpson(x => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), 0, SeedStatistics.TwoSidedT(1 - 0.05 / 3, double.PositiveInfinity), 20_000) - (1 - 0.05 / 3)), 0, 1e-8);

        static double Simpson(Func<double, double> f, double a, double b, int n)
        {
            double h = (b - a) / n, sum = f(a) + f(b);
            for (int i = 1; i < n; i++)
            {
                sum += (i % 2 == 1 ? 4 : 2) * f(a + i * h);
            }
            return sum * h / 3;
        }

        // Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) (1 + x²/ν)^(−(ν+1)/2), the gammas of halves by Γ(x + 1) = x Γ(x).
        static double StudentDensity(double x, int dof) =>
            HalfGamma(dof + 1) / (Math.Sqrt(dof * Math.PI) * HalfGamma(dof)) * Math.Pow(1 + x * x / dof, -(dof + 1) / 2.0);

        static double HalfGamma(int m) => m == 1 ? Math.Sqrt(Math.PI) : m == 2 ? 1 : (m - 2) / 2.0 * HalfGamma(m - 2);
    }

    [Fact]
    public void Student_t_quantiles_and_the_wilson_interval_match_tables()
    {
        Assert.Equal(12.7062, SeedStatistics.TQuantile975(1), 4);
        Assert.Equal(2.2281, SeedStatistics.TQuantile975(10), 4);
        Assert.Equal(2.0423, SeedStatistics.TQuantile975(30), 4);
        // Beyond the table, the expansion against exact quantiles.
        Assert.InRange(Math.Abs(SeedStatistics.TQuantile975(31) - 2.039513), 0, 2e-4);
        Assert.InRange(Math.Abs(SeedStatistics.TQuantile975(40) - 2.021075), 0, 2e-4);
        Assert.InRange(Math.Abs(SeedStatistics.TQuantile975(100) - 1.983972), 0, 2e-4);
        Assert.Equal(1.96, SeedStatistics.TQuantile975(double.PositiveInfinity), 2);
        var (low, high) = SeedStatistics.Wilson(0.5, 100);
        Assert.Equal(0.4038, low, 4);
        Assert.Equal(0.5962, high, 4);
    }

    [Fact]
    public void Claims_without_the_runs_they_need_are_not_testable()
    {
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "c", "contrastive", 0.2, 0.5, 3, 0.2);
        var claims = Check(root);
        Assert.All(claims, c => Assert.Equal(ClaimVerdict.NotTestable, c.Verdict));
    }

    [Fact]
    public void Claim_one_is_decided_by_runs_alone_and_a_single_run_leaves_it_not_testable()
    {
        // One contrastive run: the report still draws the Fig. 3 curves, but synthetic similarities decide nothing.
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "c", "contrastive", 0.2, 0.5, 3, 0.2);
        var claims = Check(root);
        Assert.Equal(ClaimVerdict.NotTestable, claims[0].Verdict);
        Assert.Contains("do not decide it", claims[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Spearman_matches_the_textbook_formula_without_ties_and_averages_ties()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = random.Next(3, 12);
            double[] x = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
            double[] y = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
            // ρ = 1 − 6 Σ d² / (n (n² − 1)) with d the difference of the ranks.
            int[] rx = x.Select(v => x.Count(o => o < v) + 1).ToArray();
            int[] ry = y.Select(v => y.Count(o => o < v) + 1).ToArray();
            double d2 = rx.Zip(ry, (a, b) => (double)(a - b) * (a - b)).Sum();
            Assert.Equal(1 - 6 * d2 / (n * (n * n - 1.0)), RankStatistics.Spearman(x, y), 12);
        }
        Assert.Equal([1.5, 1.5, 3], RankStatistics.Ranks([2.0, 2.0, 5.0]));
        Assert.True(double.IsNaN(RankStatistics.Spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])));
    }
}
