namespace ContrastiveLab.Models;

/// <summary>ResNet basic block (two 3×3 convolutions), parameters named as torchvision's.</summary>
internal sealed class BasicBlock : ResidualBlock
{
    public const int Expansion = 1;
    private readonly Conv2d conv1;
    private readonly StableBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly StableBatchNorm2d bn2;

    public BasicBlock(long inPlanes, long planes, long stride) : base(nameof(BasicBlock), inPlanes, planes * Expansion, stride)
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = new StableBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = new StableBatchNorm2d(planes);
        RegisterComponents();
    }

    protected override Tensor Branch(Tensor x)
    {
        var h = functional.relu(bn1.call(Autocast.Conv(conv1, x)));
        return bn2.call(Autocast.Conv(conv2, h));
    }
}
