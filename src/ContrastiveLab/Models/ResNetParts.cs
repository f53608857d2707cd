namespace ContrastiveLab.Models;

/// <summary>Shared pieces of the ResNet builders.</summary>
internal static class ResNetParts
{
    /// <summary>torchvision's projection shortcut (<c>downsample.0</c> conv, <c>downsample.1</c> batch norm), or null when shapes match.</summary>
    public static Sequential? Downsample(long inPlanes, long outPlanes, long stride) =>
        stride == 1 && inPlanes == outPlanes
            ? null
            : Sequential(("0", Conv2d(inPlanes, outPlanes, 1, stride: stride, bias: false)), ("1", new StableBatchNorm2d(outPlanes)));

    /// <summary>torchvision's initialisation: Kaiming normal (fan out, ReLU) for convolutions, batch norm to identity.</summary>
    public static void Initialise(Module module)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case StableBatchNorm2d bn:
                    init.ones_(bn.Weight);
                    init.zeros_(bn.Bias);
                    break;
            }
        }
    }
}
