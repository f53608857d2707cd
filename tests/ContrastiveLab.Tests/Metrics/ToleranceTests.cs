using ContrastiveLab.Core.Metrics;
using TorchSharp;
using static ContrastiveLab.Tests.Metrics.Oracle;

namespace ContrastiveLab.Tests.Metrics;

public class ToleranceTests
{
    [Theory]
    [InlineData(0.3, 1)]
    [InlineData(3.0, 2)]
    public void SetWise_matches_the_loop(double noise, int seed)
    {
        var (x, y) = Clustered(90, 10, 4, noise, seed);
        y[5] = 99; // a singleton class: that anchor has no partner and is left out
        using var t = Tensor(x);
        using var labels = Labels(y);
        var z = Unit(x);
        Assert.Equal(Tolerance(z, y, z, y, Identity(z.Length)), Core.Metrics.Tolerance.SetWise(t, labels), 10);
    }

    [Fact]
    public void AgainstBank_matches_the_loop_with_and_without_exclusion()
    {
        var (a, ya) = Clustered(40, 8, 3, 1.0, 3);
        var (bank, yb) = Clustered(100, 8, 5, 1.0, 3);
        int[] exclude = Enumerable.Range(0, 40).Select(i => i).ToArray(); // anchor i's own entry is bank row i
        using var ta = Tensor(a);
        using var tb = Tensor(bank);
        using var la = Labels(ya);
        using var lb = Labels(yb);
        using var te = Labels(exclude);
        Assert.Equal(Tolerance(Unit(a), ya, Unit(bank), yb, null), Core.Metrics.Tolerance.AgainstBank(ta, la, tb, lb), 10);
        Assert.Equal(Tolerance(Unit(a), ya, Unit(bank), yb, exclude), Core.Metrics.Tolerance.AgainstBank(ta, la, tb, lb, te), 10);
    }

    [Fact]
    public void Perfectly_clustered_classes_give_one()
    {
        var (x, y) = Clustered(60, 5, 3, 0.0, 4);
        using var t = Tensor(x);
        using var labels = Labels(y);
        Assert.Equal(1, Core.Metrics.Tolerance.SetWise(t, labels), 12);
    }

    [Fact]
    public void Orthonormal_rows_give_zero_and_all_singletons_give_nan()
    {
        using var eye = torch.eye(6, dtype: torch.ScalarType.Float64);
        using var pairs = Labels([0, 0, 1, 1, 2, 2]);
        Assert.Equal(0, Core.Metrics.Tolerance.SetWise(eye, pairs), 12);
        using var distinct = Labels([0, 1, 2, 3, 4, 5]);
        Assert.True(double.IsNaN(Core.Metrics.Tolerance.SetWise(eye, distinct)));
    }

    [Fact]
    public void Invalid_labels_name_the_parameter()
    {
        using var x = torch.randn(4, 3);
        using var short_ = Labels([0, 1, 2]);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => Core.Metrics.Tolerance.SetWise(x, short_)).ParamName);
        using var floats = torch.zeros(4);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => Core.Metrics.Tolerance.SetWise(x, floats)).ParamName);
    }
}
