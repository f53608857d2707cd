namespace ContrastiveLab.Models;

/// <summary>
/// ResNet backbone up to global average pooling, with torchvision's parameter names (<c>conv1</c>, <c>bn1</c>,
/// <c>layer1.0.conv1</c> …). The CIFAR stem is a 3×3 stride-1 convolution without max-pool (docs/paper.md §2); the
/// ImageNet stem is torchvision's 7×7 stride-2 convolution and 3×3 max-pool.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>, IBackbone
{
    private readonly Conv2d conv1;
    private readonly StableBatchNorm2d bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    private ResNet(string name, bool bottleneck, int[] blocks, bool cifarStem, long inChannels) : base(name)
    {
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        conv1 = cifarStem
            ? Conv2d(inChannels, 64, 3, stride: 1, padding: 1, bias: false)
            : Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = new StableBatchNorm2d(64);
        maxpool = cifarStem ? null : MaxPool2d(3, stride: 2, padding: 1);
        long inPlanes = 64;
        Sequential Layer(long planes, int count, long stride)
        {
            var modules = new List<(string, Module<Tensor, Tensor>)>();
            for (int i = 0; i < count; i++)
            {
                long s = i == 0 ? stride : 1;
                modules.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    bottleneck ? new Bottleneck(inPlanes, planes, s) : new BasicBlock(inPlanes, planes, s)));
                inPlanes = planes * expansion;
            }
            return Sequential(modules);
        }
        layer1 = Layer(64, blocks[0], 1);
        layer2 = Layer(128, blocks[1], 2);
        layer3 = Layer(256, blocks[2], 2);
        layer4 = Layer(512, blocks[3], 2);
        FeatureDim = 512 * expansion;
        RegisterComponents();
        ResNetParts.Initialise(this);
    }

    /// <summary>Width of the pooled feature: 512 (ResNet-18) or 2048 (ResNet-50).</summary>
    public long FeatureDim { get; }

    /// <summary>ResNet-18 with the CIFAR stem (3×3 stride 1, no max-pool).</summary>
    public static ResNet ResNet18Cifar(long inChannels = 3) => new("resnet18-cifar", false, [2, 2, 2, 2], true, inChannels);

    /// <summary>ResNet-50 with the CIFAR stem.</summary>
    public static ResNet ResNet50Cifar(long inChannels = 3) => new("resnet50-cifar", true, [3, 4, 6, 3], true, inChannels);

    /// <summary>ResNet-50 with the ImageNet stem.</summary>
    public static ResNet ResNet50(long inChannels = 3) => new("resnet50", true, [3, 4, 6, 3], false, inChannels);

    /// <summary>(B, C, H, W) images → (B, FeatureDim) pooled features.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = functional.relu(bn1.call(Autocast.Conv(conv1, x)));
        if (maxpool is not null)
        {
            h = maxpool.call(h);
        }
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        return functional.adaptive_avg_pool2d(h, [1, 1]).flatten(1).MoveToOuterDisposeScope();
    }
}
