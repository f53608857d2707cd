namespace ContrastiveLab.Models;

/// <summary>ResNet bottleneck block (1×1, 3×3 with the stride, 1×1 ×4), parameters named as torchvision's.</summary>
internal sealed class Bottleneck : Module<Tensor, Tensor>
{
    public const int Expansion = 4;
    private readonly Conv2d conv1;
    private readonly StableBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly StableBatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly StableBatchNorm2d bn3;
    private readonly Sequential? downsample;
    private readonly long stride;

    public Bottleneck(long inPlanes, long planes, long stride) : base(nameof(Bottleneck))
    {
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = new StableBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = new StableBatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = new StableBatchNorm2d(planes * Expansion);
        this.stride = stride;
        downsample = ResNetParts.Downsample(inPlanes, planes * Expansion, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = functional.relu(bn1.call(conv1.call(x)));
        h = functional.relu(bn2.call(conv2.call(h)));
        h = bn3.call(conv3.call(h));
        var identity = downsample is null ? x : Pointwise.Shortcut(downsample, stride, x);
        return functional.relu(h.add_(identity)).MoveToOuterDisposeScope();
    }
}
