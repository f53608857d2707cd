using ContrastiveLab.Core.Metrics;
using TorchSharp;
using static ContrastiveLab.Tests.Metrics.Oracle;

namespace ContrastiveLab.Tests.Metrics;

public class SimilarityOrderStatisticsTests
{
    [Fact]
    public void SetWise_matches_sorting_in_a_loop()
    {
        var a = Gaussian(45, 6, 1);
        var p = Gaussian(45, 6, 2);
        using var ta = Tensor(a);
        using var tp = Tensor(p);
        var table = SimilarityOrderStatistics.SetWise(ta, tp, ranks: 10);
        var za = Unit(a);
        var zp = Unit(p);
        Assert.Equal(new[] { 45, 11 }, new[] { table.Values.GetLength(0), table.Values.GetLength(1) });
        for (int i = 0; i < 45; i++)
        {
            Assert.Equal(Dot(za[i], zp[i]), table.Values[i, 0], 12);
            double[] nearest = NegativeSimilarities(za, zp, Identity(45), i).OrderByDescending(v => v).Take(10).ToArray();
            for (int k = 0; k < 10; k++)
            {
                Assert.Equal(nearest[k], table.Values[i, 1 + k], 12);
            }
        }
        double[] firstNegatives = Enumerable.Range(0, 45).Select(i => table.Values[i, 1]).Order().ToArray();
        Assert.Equal(firstNegatives[22], table.Summaries[1].Median, 12);
        Assert.Equal(firstNegatives[11], table.Summaries[1].LowerQuartile, 12);
        Assert.Equal(firstNegatives[33], table.Summaries[1].UpperQuartile, 12);
    }

    [Fact]
    public void AgainstBank_with_exclusion_and_tiny_chunks_matches_the_loop()
    {
        var a = Gaussian(20, 5, 3);
        var bank = Gaussian(30, 5, 4);
        int[] ex = Enumerable.Range(0, 20).Select(i => 29 - i).ToArray();
        using var ta = Tensor(a);
        using var tb = Tensor(bank);
        using var positives = tb.index_select(0, Labels(ex));
        using var te = Labels(ex);
        OrderStatisticsTable table;
        using (SimilarityChunks.OverrideRows(3))
        {
            table = SimilarityOrderStatistics.AgainstBank(ta, positives, tb, te, ranks: 4);
        }
        var za = Unit(a);
        var zb = Unit(bank);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(Dot(za[i], zb[ex[i]]), table.Values[i, 0], 12);
            double[] nearest = NegativeSimilarities(za, zb, ex, i).OrderByDescending(v => v).Take(4).ToArray();
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(nearest[k], table.Values[i, 1 + k], 12);
            }
        }
    }

    [Fact]
    public void RankSummary_interpolates_like_numpy()
    {
        var s = RankSummary.Of(2, [4.0, 1.0, 3.0, 2.0]);
        Assert.Equal((1.0, 1.75, 2.5, 3.25, 4.0, 2.5), (s.Min, s.LowerQuartile, s.Median, s.UpperQuartile, s.Max, s.Mean));
    }

    [Fact]
    public void Too_many_ranks_are_rejected()
    {
        using var a = torch.randn(5, 3);
        Assert.Equal("ranks", Assert.Throws<ArgumentException>(() => SimilarityOrderStatistics.SetWise(a, a, ranks: 5)).ParamName);
    }
}
