using ContrastiveLab.Core.Metrics;
using TorchSharp;
using static ContrastiveLab.Tests.Metrics.Oracle;

namespace ContrastiveLab.Tests.Metrics;

public class RelativePenaltyTests
{
    private static readonly double[] Taus = [0.05, 0.2, 1.0, 5.0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Analyze_matches_the_loop(bool exclude)
    {
        var a = NearDuplicates(40, 9, 1);
        var bank = Gaussian(60, 9, 2);
        for (int j = 0; j < 9; j++)
        {
            bank[3, j] = a[0, j]; // an anchor with a negative equal to itself
        }
        int[]? ex = exclude ? Enumerable.Range(0, 40).Select(i => (i + 3) % 60).ToArray() : null;
        using var ta = Tensor(a);
        using var tb = Tensor(bank);
        using var te = ex is null ? null : Labels(ex);
        var stats = RelativePenalty.Analyze(ta, tb, Taus, topK: 5, excludeIndex: te);
        var za = Unit(a);
        var zb = Unit(bank);
        for (int t = 0; t < Taus.Length; t++)
        {
            Assert.Equal(Taus[t], stats[t].Tau);
            for (int i = 0; i < za.Length; i++)
            {
                double[] s = NegativeSimilarities(za, zb, ex, i);
                double[] r = Penalty(s, Taus[t]);
                double top = r.OrderByDescending(v => v).Take(5).Sum();
                Assert.Equal(Entropy(r), stats[t].Entropy[i], 9);
                Assert.Equal(Math.Exp(Entropy(r)), stats[t].EffectiveNegatives[i], 7);
                Assert.Equal(top, stats[t].TopKMass[i], 9);
            }
        }
    }

    [Fact]
    public void Entropy_increases_with_tau_for_random_sets()
    {
        double[] taus = [0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0];
        for (int seed = 0; seed < 5; seed++)
        {
            using var a = Tensor(Gaussian(20, 6, 100 + seed));
            using var bank = Tensor(Gaussian(50, 6, 200 + seed));
            var stats = RelativePenalty.Analyze(a, bank, taus, topK: 1);
            for (int i = 0; i < 20; i++)
            {
                for (int t = 1; t < taus.Length; t++)
                {
                    Assert.True(stats[t].Entropy[i] >= stats[t - 1].Entropy[i] - 1e-12, $"seed {seed}, anchor {i}, τ {taus[t]}");
                }
                Assert.InRange(stats[^1].Entropy[i], 0, Math.Log(50) + 1e-12);
            }
        }
    }

    [Fact]
    public void Equal_similarities_give_the_uniform_distribution()
    {
        // Orthonormal anchors and bank: every negative has s = 0, so H = log M at any τ.
        using var eye = torch.eye(8, dtype: torch.ScalarType.Float64);
        using var anchors = eye.narrow(0, 0, 3);
        using var bank = eye.narrow(0, 3, 5);
        var stats = RelativePenalty.Analyze(anchors, bank, [0.07, 1.0], topK: 2);
        Assert.All(stats, s => Assert.All(s.Entropy, h => Assert.Equal(Math.Log(5), h, 12)));
        Assert.All(stats, s => Assert.All(s.TopKMass, m => Assert.Equal(0.4, m, 12)));
    }

    [Fact]
    public void Chunked_equals_unchunked()
    {
        using var a = Tensor(Gaussian(33, 5, 1));
        using var bank = Tensor(Gaussian(41, 5, 2));
        using var ex = Labels(Enumerable.Range(0, 33).ToArray());
        var whole = RelativePenalty.Analyze(a, bank, Taus, 3, ex);
        using (SimilarityChunks.OverrideRows(4))
        {
            var chunked = RelativePenalty.Analyze(a, bank, Taus, 3, ex);
            for (int t = 0; t < Taus.Length; t++)
            {
                // Equal up to the last bits of the matrix products, whose blocking depends on the shape.
                Assert.Equal(whole[t].Entropy, chunked[t].Entropy, (x, y) => Math.Abs(x - y) <= 1e-12 * Math.Max(1, Math.Abs(x)));
                Assert.Equal(whole[t].TopKMass, chunked[t].TopKMass, (x, y) => Math.Abs(x - y) <= 1e-12);
            }
        }
    }

    [Fact]
    public void Distribution_is_a_softmax_over_negatives()
    {
        double[,] s = { { 0.1, -0.5, 0.9 }, { 0.0, 0.0, 0.3 } };
        using var t = Tensor(s);
        using var r = RelativePenalty.Distribution(t, 0.2);
        for (int i = 0; i < 2; i++)
        {
            double[] expected = Penalty([s[i, 0], s[i, 1], s[i, 2]], 0.2);
            for (int j = 0; j < 3; j++)
            {
                Assert.Equal(expected[j], r[i, j].item<double>(), 12);
            }
        }
    }

    [Fact]
    public void Curves_cover_the_grid_and_sum_to_one()
    {
        var grid = RelativePenalty.Curves([0.1, 1.0], points: 11);
        Assert.Equal(-1, grid[0].Similarity[0], 12);
        Assert.Equal(1, grid[0].Similarity[^1], 12);
        Assert.All(grid, c => Assert.Equal(1, c.Penalty.Sum(), 12));
        Assert.Equal(Penalty(grid[0].Similarity, 0.1), grid[0].Penalty);
        // Smaller τ puts more weight on the hardest (largest s) negative.
        Assert.True(grid[0].Penalty[^1] > grid[1].Penalty[^1]);
        var sampled = RelativePenalty.Curves([0.5], points: 100, seed: 3);
        Assert.All(sampled[0].Similarity, v => Assert.InRange(v, -1, 1));
        Assert.Equal(sampled[0].Similarity.Order(), sampled[0].Similarity);
        Assert.Equal(sampled[0].Similarity, RelativePenalty.Curves([0.5], points: 100, seed: 3)[0].Similarity);
    }

    [Fact]
    public void Invalid_options_name_the_parameter()
    {
        using var a = torch.randn(4, 3);
        using var bank = torch.randn(6, 3);
        Assert.Equal("taus", Assert.Throws<ArgumentException>(() => RelativePenalty.Analyze(a, bank, [0.1, -1])).ParamName);
        Assert.Equal("topK", Assert.Throws<ArgumentException>(() => RelativePenalty.Analyze(a, bank, [0.1], topK: 7)).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentException>(() => RelativePenalty.Distribution(a, 0)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => RelativePenalty.Curves([0.1], 1)).ParamName);
    }
}
