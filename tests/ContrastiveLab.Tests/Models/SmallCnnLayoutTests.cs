using ContrastiveLab.Models;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Models;

/// <summary>
/// The small CNN lays its activations out channels-last for speed. That reorders floating-point sums and must not
/// change what is computed: against a float64 evaluation of the same step (the stand-in for exact arithmetic), the
/// channels-last float32 output and gradients must stay within float32 summation error.
/// </summary>
/// <remarks>
/// Measured (batch 16, 1 and 3 channels): the default layout is within 0.5–5.5e-6 of float64 (relative to each
/// tensor's largest value), channels-last within 0.6–14e-6: its batch-norm and weight-gradient reductions over
/// B·H·W = 12,544 terms are summed less carefully, by up to ~10× more error, still ~100 float32 epsilons, far below
/// what a stochastic gradient step notices. The bound is 5e-5, about 3.5× the largest measured. A real error (a
/// wrong stride read as NCHW) gives differences of order 1.
/// </remarks>
public class SmallCnnLayoutTests(ITestOutputHelper output)
{
    [Fact]
    public void Channels_last_copy_keeps_values_and_shape_and_has_nhwc_strides()
    {
        foreach (long channels in new long[] { 1, 3 })
        {
            using var x = randn(4, channels, 5, 6);
            using var y = SmallCnn.ToChannelsLast(x);
            Assert.Equal(x.shape, y.shape);
            Assert.Equal(new[] { channels * 5 * 6, 1, 6 * channels, channels }, y.stride());
            Assert.True((x == y).all().item<bool>());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Channels_last_step_is_as_accurate_as_the_default_layout_against_float64(long channels)
    {
        manual_seed(7);
        using var reference = ModelFactory.Create("small-cnn", channels);
        using var images = randn(16, channels, 28, 28);
        using var weights = randn(16, reference.EmbeddingDim);

        // One training-mode forward and backward of a fixed linear function of the embeddings; returns the output and
        // every parameter's gradient, in float64 for comparison.
        List<Tensor> Step(bool channelsLast, ScalarType dtype)
        {
            using var model = ModelFactory.Create("small-cnn", channels);
            model.load_state_dict(reference.state_dict());
            model.to(dtype);
            ((SmallCnn)model.Backbone).ChannelsLast = channelsLast;
            model.train();
            var z = model.call(images.to(dtype));
            (z * weights.to(dtype)).sum().backward();
            var results = new List<Tensor> { z.detach().to(float64) };
            results.AddRange(model.parameters().Select(p => p.grad!.detach().to(float64)));
            return results;
        }

        var exact = Step(false, float64);
        var standard = Step(false, float32);
        var channelsLastResult = Step(true, float32);
        for (int i = 0; i < exact.Count; i++)
        {
            double scale = exact[i].abs().max().item<double>();
            double standardError = (standard[i] - exact[i]).abs().max().item<double>() / scale;
            double channelsLastError = (channelsLastResult[i] - exact[i]).abs().max().item<double>() / scale;
            output.WriteLine($"tensor {i}: relative error default {standardError:e2}, channels-last {channelsLastError:e2}");
            Assert.True(standardError <= 5e-5, $"tensor {i}: the default layout is {standardError:e2} from float64");
            Assert.True(channelsLastError <= 5e-5,
                $"tensor {i}: channels-last float32 is {channelsLastError:e2} from float64 (default layout {standardError:e2})");
        }
    }
}
