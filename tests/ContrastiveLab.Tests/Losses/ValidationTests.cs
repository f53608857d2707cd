using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

public class ValidationTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_temperature_fails_in_the_constructor_naming_tau_and_the_range(double tau)
    {
        foreach (Action build in new Action[]
        {
            () => _ = new ContrastiveLoss(tau),
            () => _ = new HardContrastiveLoss(tau, k: 3),
            () => _ = new LossOptions("contrastive", tau),
        })
        {
            var error = Assert.ThrowsAny<ArgumentOutOfRangeException>(build);
            Assert.Equal("tau", error.ParamName);
            Assert.Contains("> 0", error.Message, StringComparison.Ordinal);
            Assert.Contains(tau.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, null, "k")]
    [InlineData(-3, null, "k")]
    [InlineData(null, 0.0, "alpha")]
    [InlineData(null, 1.5, "alpha")]
    [InlineData(null, double.NaN, "alpha")]
    [InlineData(null, null, "k")]
    [InlineData(5, 0.1, "k")]
    public void Bad_hard_selection_fails_in_the_constructor(int? k, double? alpha, string parameter)
    {
        Assert.Equal(parameter, Assert.ThrowsAny<ArgumentException>(() => new HardContrastiveLoss(0.2, k, alpha)).ParamName);
        Assert.Equal(parameter, Assert.ThrowsAny<ArgumentException>(() => new HardSimpleLoss(k, alpha)).ParamName);
    }

    [Fact]
    public void Bad_lambda_fails_in_the_constructor()
    {
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleContrastiveLoss(-1)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentException>(() => new SimpleContrastiveLoss(0.1, authorsVariant: true)).ParamName);
    }

    [Fact]
    public void K_larger_than_the_negatives_fails_in_forward_with_the_allowed_range()
    {
        using var scope = NewDisposeScope();
        Tensor a = eye(4, dtype: ScalarType.Float64);
        var error = Assert.Throws<ArgumentException>(() => new HardContrastiveLoss(0.2, k: 4).Forward(a, a, Negatives.InBatch));
        Assert.Contains("[1, 3]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new HardSimpleLoss(k: 8).Forward(a, a, Negatives.Shared(a, tensor(new long[] { 0, 1, 2, 3 }))));
    }

    public static TheoryData<string, string> ShapeCases() => new()
    {
        { "anchors 1-D", "anchors" },
        { "positives rows", "positives" },
        { "positives dtype", "positives" },
        { "bank dim", "bank" },
        { "exclude length", "excludeIndex" },
        { "exclude dtype", "excludeIndex" },
        { "exclude range", "excludeIndex" },
        { "in-batch B=1", "negatives" },
    };

    [Theory]
    [MemberData(nameof(ShapeCases))]
    public void Shape_problems_fail_in_forward_naming_the_argument(string problem, string parameter)
    {
        using var scope = NewDisposeScope();
        Tensor a = eye(4, dtype: ScalarType.Float64);
        Tensor bank = eye(6, 4, dtype: ScalarType.Float64);
        Tensor index = tensor(new long[] { 0, 1, 2, 3 });
        Action<IContrastiveLoss> call = problem switch
        {
            "anchors 1-D" => l => l.Forward(a[0], a[0], Negatives.InBatch),
            "positives rows" => l => l.Forward(a, bank, Negatives.InBatch),
            "positives dtype" => l => l.Forward(a, a.to_type(ScalarType.Float32), Negatives.InBatch),
            "bank dim" => l => l.Forward(a, a, Negatives.Shared(eye(6, 3, dtype: ScalarType.Float64))),
            "exclude length" => l => l.Forward(a, a, Negatives.Shared(bank, tensor(new long[] { 0, 1 }))),
            "exclude dtype" => l => l.Forward(a, a, Negatives.Shared(bank, index.to_type(ScalarType.Int32))),
            "exclude range" => l => l.Forward(a, a, Negatives.Shared(bank, tensor(new long[] { 0, 1, 2, 6 }))),
            _ => l => l.Forward(a.narrow(0, 0, 1), a.narrow(0, 0, 1), Negatives.InBatch),
        };

        foreach (string name in LossCases.Names)
        {
            var error = Assert.ThrowsAny<ArgumentException>(() => call(LossCases.Create(name, ChunkPolicy.Default)));
            Assert.Equal(parameter, error.ParamName);
        }
    }

    [Fact]
    public void Exclusion_range_message_names_the_range_and_the_value()
    {
        using var scope = NewDisposeScope();
        Tensor a = eye(4, dtype: ScalarType.Float64);
        var error = Assert.Throws<ArgumentException>(
            () => new ContrastiveLoss(0.2).Forward(a, a, Negatives.Shared(eye(6, 4, dtype: ScalarType.Float64), tensor(new long[] { 0, 1, 2, 9 }))));
        Assert.Contains("[0, 5]", error.Message, StringComparison.Ordinal);
        Assert.Contains("9", error.Message, StringComparison.Ordinal);
    }
}
