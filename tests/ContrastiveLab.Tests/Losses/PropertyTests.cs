using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

public class PropertyTests
{
    public static TheoryData<string> AllLosses() => new(LossCases.Names);

    [Theory]
    [InlineData(NegativeSource.InBatch)]
    [InlineData(NegativeSource.Bank)]
    [InlineData(NegativeSource.BankExcluding)]
    public void Hard_loss_with_all_negatives_equals_the_contrastive_loss(NegativeSource source)
    {
        var fixture = new LossFixture(seed: 3, batch: 5, bankRows: 8, dim: 4);
        using var scope = NewDisposeScope();
        Tensor a = LossFixture.ToTensor(fixture.Anchors);
        Tensor p = LossFixture.ToTensor(fixture.Positives);
        Negatives negatives = fixture.Negatives(source);
        int n = source switch { NegativeSource.InBatch => 4, NegativeSource.Bank => 8, _ => 7 };
        double plain = new ContrastiveLoss(0.2).Forward(a, p, negatives).item<double>();
        Assert.Equal(plain, new HardContrastiveLoss(0.2, k: n).Forward(a, p, negatives).item<double>(), 1e-12);
        Assert.Equal(plain, new HardContrastiveLoss(0.2, alpha: 1.0).Forward(a, p, negatives).item<double>(), 1e-12);
        Assert.True(new HardContrastiveLoss(0.2, k: 1).Forward(a, p, negatives).item<double>() < plain);
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Permuting_the_bank_rows_leaves_every_loss_unchanged(string name)
    {
        var fixture = new LossFixture(seed: 11, batch: 5, bankRows: 12, dim: 4);
        int[] permutation = Enumerable.Range(0, 12).OrderBy(i => (i * 7) % 12).ToArray();
        var inverse = new long[12];
        for (int row = 0; row < 12; row++)
        {
            inverse[permutation[row]] = row;
        }

        using var scope = NewDisposeScope();
        Tensor a = LossFixture.ToTensor(fixture.Anchors);
        Tensor p = LossFixture.ToTensor(fixture.Positives);
        Tensor bank = LossFixture.ToTensor(fixture.Bank);
        Tensor shuffled = bank.index_select(0, tensor(permutation.Select(i => (long)i).ToArray()));
        Tensor exclude = tensor(fixture.Exclude);
        Tensor movedExclude = tensor(fixture.Exclude.Select(r => inverse[r]).ToArray());
        IContrastiveLoss loss = LossCases.Create(name, ChunkPolicy.Default);

        Assert.Equal(
            loss.Forward(a, p, Negatives.Shared(bank, exclude)).item<double>(),
            loss.Forward(a, p, Negatives.Shared(shuffled, movedExclude)).item<double>(),
            1e-12);
        Assert.Equal(
            loss.Forward(a, p, Negatives.Shared(bank)).item<double>(),
            loss.Forward(a, p, Negatives.Shared(shuffled)).item<double>(),
            1e-12);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.003)]
    [InlineData(0.001)]
    public void Small_tau_limit_is_the_margin_zero_triplet_loss_Eq_6(double tau)
    {
        var fixture = new LossFixture(seed: 5, batch: 8, bankRows: 10, dim: 3);
        double loss = fixture.Loss(new ContrastiveLoss(tau), NegativeSource.Bank);
        double triplet = fixture.OracleMean(NegativeSource.Bank, NaiveOracle.Single);

        // Per anchor, 0 ≤ τ·L_i − max(s_max − s_ii, 0) ≤ τ·ln(n + 1): the gap vanishes linearly in τ.
        Assert.True(triplet > 0.05, $"the fixture should have violated anchors; triplet = {triplet}");
        Assert.InRange((tau * loss) - triplet, 0, tau * Math.Log(11));
    }

    [Theory]
    [InlineData(100.0)]
    [InlineData(1000.0)]
    public void Large_tau_limit_is_the_first_order_expansion_Eq_7(double tau)
    {
        var fixture = new LossFixture(seed: 9, batch: 6, bankRows: 15, dim: 4);
        double loss = fixture.Loss(new ContrastiveLoss(tau), NegativeSource.BankExcluding);
        double expansion = fixture.OracleMean(NegativeSource.BankExcluding, (sii, sij) => NaiveOracle.LargeTauExpansion(sii, sij, tau));

        // The remainder is second order: Var(s)/(2τ²) ≤ 1/(2τ²) for similarities in [−1, 1]; the first-order
        // term itself is of size 1/τ, so this also checks the expansion's linear coefficients.
        Assert.InRange(loss - expansion, 0, 0.5 / (tau * tau));
        Assert.True(Math.Abs(loss - Math.Log(15)) > 1e-2 / tau, "the first-order term should be visible");
    }
}
