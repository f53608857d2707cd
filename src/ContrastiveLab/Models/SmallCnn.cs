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

    /// <summary>Whether <see cref="forward"/> lays the activations out channels-last (the default; see there).</summary>
    public bool ChannelsLast { get; set; } = true;

    /// <summary>(B, C, H, W) images → (B, 128) pooled features.</summary>
    /// <remarks>
    /// The activations are laid out channels-last (NHWC strides under the NCHW shape, PyTorch's
    /// <c>torch.channels_last</c>): libtorch then keeps every convolution, batch norm, ReLU and max-pool in that
    /// layout, which vectorises over channels and skips oneDNN's reorders. Measured on the 2-core AVX2 machine in
    /// interleaved pairs: the memory-bank step +24 to +31 %, the in-batch step +42 to +60 % (docs/performance.md). ResNet-18 got slower
    /// (−7 %), so the ResNets keep the default layout. The parameters and the result are the same either way.
    /// </remarks>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = ChannelsLast ? ToChannelsLast(x) : x;
        // Layer by layer rather than features.call, so that the convolutions go through Autocast.
        foreach (var layer in features.children())
        {
            h = layer is Conv2d conv ? Autocast.Conv(conv, h) : ((Module<Tensor, Tensor>)layer).call(h);
        }
        return functional.adaptive_avg_pool2d(h, [1, 1]).flatten(1).MoveToOuterDisposeScope();
    }

    /// <summary>A (B, C, H, W) tensor with the same values and shape, stored channels-last (strides C·H·W, 1, W·C, C).</summary>
    /// <remarks>
    /// Built as an NHWC buffer viewed as NCHW and filled by a copy: <c>permute(0, 2, 3, 1).contiguous()</c> would
    /// not do for one channel, where libtorch counts the permuted view as contiguous already and keeps the old strides.
    /// </remarks>
    internal static Tensor ToChannelsLast(Tensor x)
    {
        if (x.dim() != 4)
        {
            return x;
        }
        var nhwc = empty([x.shape[0], x.shape[2], x.shape[3], x.shape[1]], dtype: x.dtype, device: x.device);
        return nhwc.permute(0, 3, 1, 2).copy_(x);
    }
}
