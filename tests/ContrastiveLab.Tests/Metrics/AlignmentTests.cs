using TorchSharp;
using static ContrastiveLab.Tests.Metrics.Oracle;

namespace ContrastiveLab.Tests.Metrics;

public class AlignmentTests
{
    [Fact]
    public void Matches_the_loop()
    {
        var a = Gaussian(50, 7, 1);
        var p = Gaussian(50, 7, 2);
        using var ta = Tensor(a);
        using var tp = Tensor(p);
        var za = Unit(a);
        var zp = Unit(p);
        double expected = Enumerable.Range(0, 50).Average(i => SquaredDistance(za[i], zp[i]));
        Assert.Equal(expected, Core.Metrics.Alignment.Compute(ta, tp), 12);
    }

    [Fact]
    public void Closed_forms_identical_zero_opposite_four()
    {
        using var x = torch.randn(10, 4, dtype: torch.ScalarType.Float64);
        using var scaled = x.mul(3.5);
        using var opposite = x.neg();
        Assert.Equal(0, Core.Metrics.Alignment.Compute(x, scaled), 12);
        Assert.Equal(4, Core.Metrics.Alignment.Compute(x, opposite), 12);
    }

    [Fact]
    public void Mismatched_rows_are_rejected()
    {
        using var a = torch.randn(5, 3);
        using var p = torch.randn(6, 3);
        Assert.Equal("positives", Assert.Throws<ArgumentException>(() => Core.Metrics.Alignment.Compute(a, p)).ParamName);
    }
}
