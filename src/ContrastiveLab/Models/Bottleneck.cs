namespace ContrastiveLab.Models;

/// <summary>ResNet bottleneck block (1×1, 3×3 with the stride, 1×1 ×4), parameters named as torchvision's.</summary>
internal sealed class Bottleneck : ResidualBlock
{
    public const int Expansion = 4;
    private readonly Conv2d conv1;
    private readonly StableBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly StableBatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly StableBatchNorm2d bn3;

    public Bottleneck(long inPlanes, long planes, long stride) : base(nameof(Bottleneck), inPlanes, planes * Expansion, stride)
    {
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = new StableBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = new StableBatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = new StableBatchNorm2d(planes * Expansion);
        RegisterComponents();
    }

    protected override Tensor Branch(Tensor x)
    {
        var h = functional.relu(bn1.call(Autocast.Conv(conv1, x)));
        h = functional.relu(bn2.call(Autocast.Conv(conv2, h)));
        return bn3.call(Autocast.Conv(conv3, h));
    }
}
