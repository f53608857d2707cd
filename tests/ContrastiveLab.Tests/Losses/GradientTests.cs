using ContrastiveLab.Core.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Losses;

public class GradientTests
{
    private const int B = 4;
    private const int M = 6;

    // Identity anchors make the similarities free leaves: s_ij = anchors_i · bank_j = bank[j, i] and
    // s_ii = positives[i, i], so autograd on bank and positives is autograd on s (times 1/B from the mean).
    private static readonly double[,] Similarities =
    {
        { 0.9, -0.2, 0.5, 0.1, 0.85, -0.7 },
        { 0.3, 0.35, -0.1, 0.6, 0.2, 0.0 },
        { -0.4, 0.95, 0.7, -0.9, 0.1, 0.4 },
        { 0.0, 0.2, 0.25, 0.3, -0.5, 0.8 },
    };

    private static readonly double[] Positive = [0.8, 0.1, 0.6, -0.2];

    [Theory]
    [InlineData(0.07)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Contrastive_gradients_match_Eq_4(double tau)
    {
        using var scope = NewDisposeScope();
        var (sGrad, positiveGrad) = SimilarityGradients(new ContrastiveLoss(tau));
        for (int i = 0; i < B; i++)
        {
            double denominator = Math.Exp(Positive[i] / tau);
            for (int k = 0; k < M; k++)
            {
                denominator += Math.Exp(Similarities[i, k] / tau);
            }

            double sumP = 0;
            double sumAbs = 0;
            for (int j = 0; j < M; j++)
            {
                double p = Math.Exp(Similarities[i, j] / tau) / denominator;
                sumP += p;
                sumAbs += Math.Abs(sGrad[i, j]);
                Assert.Equal(p / tau, sGrad[i, j], 1e-10);
            }

            Assert.Equal(-sumP / tau, positiveGrad[i], 1e-10);
            Assert.Equal(Math.Abs(positiveGrad[i]), sumAbs, 1e-10);
        }
    }

    [Fact]
    public void Hard_loss_gives_no_gradient_to_negatives_outside_the_top_K_Eq_8()
    {
        const double tau = 0.3;
        const int k = 2;
        using var scope = NewDisposeScope();
        var (sGrad, positiveGrad) = SimilarityGradients(new HardContrastiveLoss(tau, k: k));
        for (int i = 0; i < B; i++)
        {
            double threshold = Enumerable.Range(0, M).Select(j => Similarities[i, j]).OrderByDescending(s => s).ElementAt(k - 1);
            double denominator = Math.Exp(Positive[i] / tau);
            denominator += Enumerable.Range(0, M).Where(j => Similarities[i, j] >= threshold).Sum(j => Math.Exp(Similarities[i, j] / tau));
            double sumAbs = 0;
            for (int j = 0; j < M; j++)
            {
                double expected = Similarities[i, j] >= threshold ? Math.Exp(Similarities[i, j] / tau) / denominator / tau : 0;
                Assert.Equal(expected, sGrad[i, j], 1e-10);
                sumAbs += Math.Abs(sGrad[i, j]);
            }

            Assert.Equal(Math.Abs(positiveGrad[i]), sumAbs, 1e-10);
        }
    }

    /// <summary>(B, M) ∂L_i/∂s_ij and (B,) ∂L_i/∂s_ii of the per-anchor losses, via identity anchors.</summary>
    private static (double[,] SGrad, double[] PositiveGrad) SimilarityGradients(IContrastiveLoss loss)
    {
        Tensor anchors = eye(B, dtype: ScalarType.Float64);
        Tensor bank = tensor(Flatten(Similarities), [B, M], dtype: ScalarType.Float64).t().contiguous().requires_grad_();
        Tensor positives = diag(tensor(Positive, dtype: ScalarType.Float64)).requires_grad_();
        loss.Forward(anchors, positives, Negatives.Shared(bank)).backward();
        double[] bankGrad = bank.grad!.mul(B).t().contiguous().data<double>().ToArray();
        double[] positiveGrad = positives.grad!.diagonal().mul(B).contiguous().data<double>().ToArray();
        var sGrad = new double[B, M];
        for (int i = 0; i < B; i++)
        {
            for (int j = 0; j < M; j++)
            {
                sGrad[i, j] = bankGrad[(i * M) + j];
            }
        }

        return (sGrad, positiveGrad);
    }

    private static double[] Flatten(double[,] values) => values.Cast<double>().ToArray();
}
