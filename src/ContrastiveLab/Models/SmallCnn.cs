using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ContrastiveLab.Models;

/// <summary>
/// A small CNN for CPU-scale work (MACHINE_NOTES.md): three 3×3 conv–batch-norm–ReLU stages of 32, 64 and 128
/// channels, each followed by 2×2 max-pooling except the last, then global average pooling to 128 features.
/// </summary>
public sealed class SmallCnn : Module<Tensor, Tensor>, IBackbone
{
    private readonly Sequential features;

    public SmallCnn(long inChannels = 1) : base("small-cnn")
    {
        features = Sequential(
            ("0", Conv2d(inChannels, 32, 3, padding: 1, bias: false)), ("1", new StableBatchNorm2d(32)), ("2", ReLU(inplace: true)), ("3", MaxPool2d(2)),
            ("4", Conv2d(32, 64, 3, padding: 1, bias: false)), ("5", new StableBatchNorm2d(64)), ("6", ReLU(inplace: true)), ("7", MaxPool2d(2)),
            ("8", Conv2d(64, 128, 3, padding: 1, bias: false)), ("9", new StableBatchNorm2d(128)), ("10", ReLU(inplace: true)));
        RegisterComponents();
        ResNetParts.Initialise(this);
    }

    public long FeatureDim => 128;

    /// <summary>(B, C, H, W) images → (B, 128) pooled features.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return functional.adaptive_avg_pool2d(features.call(x), [1, 1]).flatten(1).MoveToOuterDisposeScope();
    }
}
