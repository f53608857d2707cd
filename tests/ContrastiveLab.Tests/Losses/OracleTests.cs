using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

public class OracleTests
{
    public static TheoryData<string, NegativeSource> Cases()
    {
        var data = new TheoryData<string, NegativeSource>();
        foreach (string loss in OracleCases.Keys)
        {
            foreach (NegativeSource source in Enum.GetValues<NegativeSource>())
            {
                data.Add(loss, source);
            }
        }

        return data;
    }

    /// <summary>Each case: the loss, and its per-anchor oracle from (s_ii, negatives' s_ij).</summary>
    private static readonly Dictionary<string, (Func<IContrastiveLoss> Loss, Func<double, double[], double> Oracle)> OracleCases = new()
    {
        ["contrastive τ=0.5"] = (() => new ContrastiveLoss(0.5), (sii, sij) => NaiveOracle.Contrastive(sii, sij, 0.5)),
        ["contrastive τ=0.1"] = (() => new ContrastiveLoss(0.1), (sii, sij) => NaiveOracle.Contrastive(sii, sij, 0.1)),
        ["simple"] = (() => new SimpleContrastiveLoss(), (sii, sij) => NaiveOracle.Simple(sii, sij, 1.0 / sij.Length)),
        ["simple λ=0.3"] = (() => new SimpleContrastiveLoss(0.3), (sii, sij) => NaiveOracle.Simple(sii, sij, 0.3)),
        ["simple authors"] = (() => new SimpleContrastiveLoss(authorsVariant: true), NaiveOracle.SimpleAuthors),
        ["hard k=3"] = (() => new HardContrastiveLoss(0.3, k: 3), (sii, sij) => NaiveOracle.Hard(sii, sij, 0.3, 3)),
        ["hard α=0.4"] = (() => new HardContrastiveLoss(0.3, alpha: 0.4), (sii, sij) => NaiveOracle.Hard(sii, sij, 0.3, AlphaK(0.4, sij.Length))),
        ["hard-simple k=2"] = (() => new HardSimpleLoss(k: 2), (sii, sij) => NaiveOracle.HardSimple(sii, sij, 2)),
        ["hard-simple authors k=2"] = (() => new HardSimpleLoss(k: 2, authorsVariant: true), (sii, sij) => NaiveOracle.HardSimpleAuthors(sii, sij, 2)),
        ["hard-simple α=0.5"] = (() => new HardSimpleLoss(alpha: 0.5), (sii, sij) => NaiveOracle.HardSimple(sii, sij, AlphaK(0.5, sij.Length))),
        ["single"] = (() => new SingleLoss(), NaiveOracle.Single),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_matches_the_naive_loop_oracle(string name, NegativeSource source)
    {
        var fixture = new LossFixture(seed: 7, batch: 6, bankRows: 9, dim: 5);
        var (makeLoss, oracle) = OracleCases[name];
        Assert.Equal(fixture.OracleMean(source, oracle), fixture.Loss(makeLoss(), source), 1e-12);
    }

    [Theory]
    [InlineData(NegativeSource.InBatch)]
    [InlineData(NegativeSource.Bank)]
    [InlineData(NegativeSource.BankExcluding)]
    public void Identical_embeddings_give_the_closed_forms(NegativeSource source)
    {
        // Every s = 1: contrastive = ln(n + 1), hard = ln(K + 1), simple = −1 + λ·n, single = 0.
        const int b = 4;
        const int m = 7;
        using var scope = NewDisposeScope();
        Tensor same = ones(b, 3, dtype: ScalarType.Float64).div(Math.Sqrt(3));
        Negatives negatives = source switch
        {
            NegativeSource.InBatch => Negatives.InBatch,
            NegativeSource.Bank => Negatives.Shared(ones(m, 3, dtype: ScalarType.Float64).div(Math.Sqrt(3))),
            _ => Negatives.Shared(ones(m, 3, dtype: ScalarType.Float64).div(Math.Sqrt(3)), tensor(new long[] { 0, 3, 3, 6 })),
        };
        int n = source switch { NegativeSource.InBatch => b - 1, NegativeSource.Bank => m, _ => m - 1 };

        Assert.Equal(Math.Log(n + 1), Value(new ContrastiveLoss(0.07)), 1e-12);
        Assert.Equal(Math.Log(n + 1), Value(new ContrastiveLoss(0.01)), 1e-12);
        Assert.Equal(Math.Log(3), Value(new HardContrastiveLoss(0.2, k: 2)), 1e-12);
        Assert.Equal(0, Value(new SimpleContrastiveLoss()), 1e-12);
        Assert.Equal(-1 + (0.5 * n), Value(new SimpleContrastiveLoss(0.5)), 1e-12);
        Assert.Equal(0, Value(new SingleLoss()), 1e-12);
        Assert.Equal(0, Value(new HardSimpleLoss(k: 2, authorsVariant: true)), 1e-12);

        double Value(IContrastiveLoss loss) => loss.Forward(same, same, negatives).item<double>();
    }

    [Fact]
    public void In_batch_with_2B_views_gives_ln_of_2B_minus_1_for_identical_embeddings()
    {
        // SimCLR layout: both views stacked as anchors and, swapped, as positives; 2B − 1 entries per row.
        const int views = 10;
        using var scope = NewDisposeScope();
        Tensor same = ones(views, 4, dtype: ScalarType.Float64).div(2);
        double loss = new ContrastiveLoss(0.5).Forward(same, same, Negatives.InBatch).item<double>();
        Assert.Equal(Math.Log(views), loss, 1e-12);
    }

    private static int AlphaK(double alpha, int negatives) =>
        Math.Max(1, (int)Math.Round(alpha * negatives, MidpointRounding.AwayFromZero));
}
