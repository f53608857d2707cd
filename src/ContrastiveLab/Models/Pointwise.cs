using ContrastiveLab.Runtime;

namespace ContrastiveLab.Models;

/// <summary>
/// Runs a 1×1 convolution (no padding, no bias, one group), through oneDNN as usual or, while
/// <see cref="ConvolutionGuard"/> is active, the input is on the CPU and the stride is above 1, as a matrix
/// product over the strided pixels: the same result without oneDNN's strided 1×1 backward kernel, the one that
/// crashes where the CPU hides its cache sizes. Stride-1 1×1 convolutions keep oneDNN (they do not crash, and
/// oneDNN is faster on the small maps of ResNet-50's last stages). The weights are the module's own, so
/// checkpoints and exports do not change.
/// </summary>
internal static class Pointwise
{
    public static Tensor Forward(Conv2d conv, long stride, Tensor x) => Forward(conv, stride, x, ConvolutionGuard.Active);

    /// <summary>As <see cref="Forward(Conv2d, long, Tensor)"/> with the guard given (tests compare both paths).</summary>
    internal static Tensor Forward(Conv2d conv, long stride, Tensor x, bool guard)
    {
        if (stride == 1 || !guard || x.device_type != DeviceType.CPU)
        {
            return Autocast.Conv(conv, x);
        }
        using var scope = NewDisposeScope();
        var input = x[.., .., TensorIndex.Slice(null, null, stride), TensorIndex.Slice(null, null, stride)];
        long n = input.shape[0], h = input.shape[2], w = input.shape[3];
        var weight = conv.weight!;
        // (out, in) @ (n, in, h·w) → (n, out, h·w): one batched GEMM forward, two in the backward pass. A 1×1
        // convolution with stride s and no padding reads exactly the pixels (s·i, s·j), which the slice picks.
        var y = Autocast.MatMul(weight.flatten(1), input.flatten(2));
        return y.view(n, weight.shape[0], h, w).MoveToOuterDisposeScope();
    }

    /// <summary>The projection shortcut built by <see cref="ResNetParts.Downsample"/> (conv "0", batch norm "1"), its conv routed as above.</summary>
    public static Tensor Shortcut(Sequential downsample, long stride, Tensor x) => Shortcut(downsample, stride, x, ConvolutionGuard.Active);

    /// <summary>As <see cref="Shortcut(Sequential, long, Tensor)"/> with the guard given (tests compare both paths).</summary>
    internal static Tensor Shortcut(Sequential downsample, long stride, Tensor x, bool guard)
    {
        if (stride == 1 || !guard || x.device_type != DeviceType.CPU)
        {
            return downsample.call(x);
        }
        using var scope = NewDisposeScope();
        var parts = downsample.children().ToArray();
        var y = Forward((Conv2d)parts[0], stride, x, guard);
        return ((Module<Tensor, Tensor>)parts[1]).call(y).MoveToOuterDisposeScope();
    }
}
