using ContrastiveLab.Bench;
using ContrastiveLab.Models;
using ContrastiveLab.Runtime;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ContrastiveLab.Tests.Bench;

/// <summary>The FLOP count behind the bench's achieved GFLOP/s, against counts done by hand.</summary>
public sealed class ModelFlopsTests
{
    [Fact]
    public void A_convolution_and_a_linear_layer_count_as_worked_out_by_hand()
    {
        TorchRuntime.EnsureLoaded();
        // conv 3→8, 3×3, padding 1 on 10×10: 8·10·10 outputs × 3·3·3 multiply-adds = 21,600 MACs = 43,200 FLOPs;
        // after pooling, linear 8→4: 32 MACs = 64 FLOPs. Pooling, ReLU and biases are not counted.
        using var model = Sequential(
            ("conv", Conv2d(3, 8, 3, padding: 1)),
            ("relu", ReLU()),
            ("pool", AdaptiveAvgPool2d(1)),
            ("flat", Flatten()),
            ("fc", Linear(8, 4)));
        Assert.Equal(43_264, ModelFlops.ForwardPerImage(model, 3, 10));
        Assert.Equal(3 * 43_264, ModelFlops.TrainingPerImage(model, 3, 10));
    }

    [Fact]
    public void A_strided_grouped_convolution_counts_its_output_pixels_and_group_width()
    {
        TorchRuntime.EnsureLoaded();
        // 4→6, 3×3, stride 2, padding 1, 2 groups on 9×9: 6·5·5 outputs × (4/2)·3·3 = 2,700 MACs = 5,400 FLOPs.
        using var model = Sequential(("conv", Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2, bias: false)));
        Assert.Equal(5_400, ModelFlops.ForwardPerImage(model, 4, 9));
    }

    [Fact]
    public void Resnet18_with_the_cifar_stem_is_the_known_0_56_gmac_per_image_and_the_guard_does_not_hide_layers()
    {
        TorchRuntime.EnsureLoaded();
        using var model = ModelFactory.Create("resnet18-cifar", 3);
        // 0.556 GMACs is the commonly quoted forward cost of this network on 32×32 (plus the 512→128 head: 65,536 MACs).
        double gmacs = ModelFlops.ForwardPerImage(model, 3, 32) / 2 / 1e9;
        Assert.InRange(gmacs, 0.550, 0.562);
        using (ConvolutionGuard.Force(true))
        {
            Assert.Equal(ModelFlops.ForwardPerImage(model, 3, 32), gmacs * 2 * 1e9, 1e-3);
        }
    }
}
