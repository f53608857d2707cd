using ContrastiveLab.Core.Metrics;
using TorchSharp;
using static ContrastiveLab.Tests.Metrics.Oracle;

namespace ContrastiveLab.Tests.Metrics;

public class UniformityTests
{
    [Theory]
    [InlineData(60, 8, 1)]
    [InlineData(150, 16, 2)]
    public void SetWise_matches_the_pairwise_loop(int n, int d, int seed)
    {
        var x = Gaussian(n, d, seed);
        using var t = Tensor(x);
        Assert.Equal(UniformitySetWise(Unit(x)), Uniformity.SetWise(t), 10);
    }

    [Fact]
    public void SetWise_in_float32_is_close_to_the_double_loop()
    {
        var x = RoundToFloat(NearDuplicates(80, 12, 3));
        using var t = Tensor(x, torch.ScalarType.Float32);
        double expected = UniformitySetWise(Unit(x));
        Assert.InRange(Math.Abs(Uniformity.SetWise(t) - expected), 0, 1e-4 * Math.Abs(expected));
    }

    [Fact]
    public void AgainstBank_matches_the_loop_with_and_without_exclusion()
    {
        var a = Gaussian(30, 6, 4);
        var bank = Gaussian(70, 6, 5);
        int[] exclude = Enumerable.Range(0, 30).Select(i => (i * 7) % 70).ToArray();
        using var ta = Tensor(a);
        using var tb = Tensor(bank);
        using var te = Labels(exclude);
        Assert.Equal(UniformityAgainstBank(Unit(a), Unit(bank), null), Uniformity.AgainstBank(ta, tb), 10);
        Assert.Equal(UniformityAgainstBank(Unit(a), Unit(bank), exclude), Uniformity.AgainstBank(ta, tb, te), 10);
    }

    [Fact]
    public void Identical_embeddings_give_zero()
    {
        using var t = torch.ones(20, 5, dtype: torch.ScalarType.Float64);
        Assert.Equal(0, Uniformity.SetWise(t), 12);
    }

    [Fact]
    public void Orthonormal_set_gives_minus_four()
    {
        // ‖e_i − e_j‖² = 2 for every pair, so L = log exp(−4) = −4.
        using var t = torch.eye(12, dtype: torch.ScalarType.Float64);
        Assert.Equal(-4, Uniformity.SetWise(t), 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Chunk_height_does_not_change_the_result(long rows)
    {
        var x = Gaussian(50, 4, 9);
        using var t = Tensor(x);
        double whole = Uniformity.SetWise(t);
        using (SimilarityChunks.OverrideRows(rows))
        {
            Assert.Equal(whole, Uniformity.SetWise(t), 12);
            using var bank = Tensor(Gaussian(23, 4, 10));
            double wholeBank;
            using (SimilarityChunks.OverrideRows(1000))
            {
                wholeBank = Uniformity.AgainstBank(t, bank);
            }
            Assert.Equal(wholeBank, Uniformity.AgainstBank(t, bank), 12);
        }
    }

    [Fact]
    public void Invalid_inputs_name_the_parameter()
    {
        using var one = torch.ones(1, 3);
        Assert.Equal("embeddings", Assert.Throws<ArgumentException>(() => Uniformity.SetWise(one)).ParamName);
        using var zeroRow = torch.zeros(4, 3);
        Assert.Contains("zero row", Assert.Throws<ArgumentException>(() => Uniformity.SetWise(zeroRow)).Message, StringComparison.Ordinal);
        using var ok = torch.randn(4, 3);
        Assert.Equal("t", Assert.Throws<ArgumentException>(() => Uniformity.SetWise(ok, 0)).ParamName);
        using var wrongDim = torch.randn(4, 2);
        Assert.Equal("bank", Assert.Throws<ArgumentException>(() => Uniformity.AgainstBank(ok, wrongDim)).ParamName);
        using var badIndex = torch.tensor(new long[] { 0, 1, 2, 9 });
        Assert.Equal("excludeIndex", Assert.Throws<ArgumentException>(() => Uniformity.AgainstBank(ok, ok, badIndex)).ParamName);
    }
}
