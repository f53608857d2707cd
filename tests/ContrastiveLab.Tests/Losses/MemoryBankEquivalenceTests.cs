using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

/// <summary>
/// With the anchor's own bank entry as positive and every other entry as negative, the contrastive loss is the
/// cross-entropy of the logits z·bankᵀ/τ with target = own index (instance discrimination, Wu et al.): value and
/// gradient must agree with libtorch's cross_entropy.
/// </summary>
public class MemoryBankEquivalenceTests
{
    [Theory]
    [InlineData(0.07)]
    [InlineData(0.2)]
    [InlineData(1.0)]
    public void Bank_mode_equals_cross_entropy_over_the_bank(double tau)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var bank = nn.functional.normalize(randn(300, 16, dtype: ScalarType.Float64, generator: g), dim: 1);
        var idx = randperm(300, generator: g).narrow(0, 0, 32);
        var z1 = nn.functional.normalize(randn(32, 16, dtype: ScalarType.Float64, generator: g), dim: 1).requires_grad_(true);
        var ours = new ContrastiveLoss(tau).Forward(z1, bank.index_select(0, idx), Negatives.Shared(bank, idx));
        ours.backward();
        var gradOurs = z1.grad!.clone();

        var z2 = z1.detach().clone().requires_grad_(true);
        var reference = nn.functional.cross_entropy(z2.matmul(bank.T).div(tau), idx);
        reference.backward();

        Assert.Equal(reference.item<double>(), ours.item<double>(), 10);
        Assert.True(gradOurs.allclose(z2.grad!, rtol: 1e-9, atol: 1e-12));
    }
}
