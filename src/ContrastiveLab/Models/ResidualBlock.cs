namespace ContrastiveLab.Models;

/// <summary>
/// A ResNet residual block as torchvision lays it out: <c>relu(Branch(x) + shortcut(x))</c>, the shortcut being x
/// itself or, when the stride or the width changes, <c>downsample</c> (1×1 convolution and batch norm). A block
/// declares its branch's layers as fields named as torchvision's (conv1, bn1, …) and calls <c>RegisterComponents</c>
/// at the end of its constructor. TorchSharp registers the derived class's fields before this class's, so the
/// shortcut comes last and the parameters keep torchvision's order, which is also the order in which the Kaiming
/// initialisation draws them (ModelTests pins it).
/// </summary>
internal abstract class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Sequential? downsample;
    private readonly long stride;

    /// <param name="name">Module name.</param>
    /// <param name="inPlanes">Channels in.</param>
    /// <param name="outPlanes">Channels out of the branch (planes × expansion).</param>
    /// <param name="stride">Stride of the branch's strided convolution and of the shortcut.</param>
    protected ResidualBlock(string name, long inPlanes, long outPlanes, long stride) : base(name)
    {
        this.stride = stride;
        downsample = ResNetParts.Downsample(inPlanes, outPlanes, stride);
    }

    /// <summary>The residual branch, before the shortcut is added.</summary>
    protected abstract Tensor Branch(Tensor x);

    public sealed override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = Branch(x);
        Tensor identity = downsample is null ? x : Pointwise.Shortcut(downsample, stride, x);
        return functional.relu(h.add_(identity)).MoveToOuterDisposeScope();
    }
}
