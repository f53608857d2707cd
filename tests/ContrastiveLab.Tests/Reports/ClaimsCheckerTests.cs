using ContrastiveLab.Reports;

namespace ContrastiveLab.Tests.Reports;

public sealed class ClaimsCheckerTests
{
    private static IReadOnlyList<ClaimResult> Check(string root)
    {
        var runs = RunFolderReader.ReadAll(root).Runs;
        var points = SweepPoint.Aggregate(runs, AccuracyKind.Knn);
        return ClaimsChecker.Check(points, AccuracyKind.Knn, untrainedKnn: 0.3);
    }

    [Fact]
    public void A_sweep_shaped_like_the_paper_supports_every_claim()
    {
        var claims = Check(SyntheticRuns.Sweep(reversed: false));
        Assert.Equal(7, claims.Count);
        Assert.All(claims, c => Assert.Equal(ClaimVerdict.Supported, c.Verdict));
        Assert.Contains("Spearman ρ(τ, −uniformity) = -1", claims[1].Evidence, StringComparison.Ordinal);
        Assert.Contains("τ = 0.3", claims[3].Evidence, StringComparison.Ordinal);
        Assert.Contains("gap +30.00 points", claims[4].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reversed_sweep_is_reported_as_contradicted()
    {
        var claims = Check(SyntheticRuns.Sweep(reversed: true));
        Assert.All(claims, c => Assert.Equal(ClaimVerdict.Contradicted, c.Verdict));
        Assert.Contains("Spearman ρ(τ, tolerance) = -1", claims[2].Evidence, StringComparison.Ordinal);
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
