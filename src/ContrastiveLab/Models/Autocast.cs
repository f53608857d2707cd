namespace ContrastiveLab.Models;

/// <summary>
/// Mixed precision for the encoders' convolutions, in the manner of PyTorch's autocast (which TorchSharp does not
/// have): inside <see cref="BFloat16"/> on the current thread, <see cref="Conv"/> runs each convolution in bfloat16 (its
/// input, weight and bias cast on the fly) and returns float32, so batch norm, activations, the projection head, the
/// loss, the memory bank and the optimiser stay in float32. The weights stay float32 too: autograd carries the
/// gradients back through the casts, so SGD updates the float32 master weights. Outside the scope
/// <see cref="Conv"/> is the module's own forward, unchanged.
/// </summary>
internal static class Autocast
{
    [ThreadStatic]
    private static bool t_bf16;

    /// <summary>True inside a <see cref="BFloat16"/> scope on this thread.</summary>
    public static bool Active => t_bf16;

    /// <summary>Runs this thread's convolutions in bfloat16 (when <paramref name="enabled"/>) until the result is disposed.</summary>
    public static IDisposable BFloat16(bool enabled = true)
    {
        bool previous = t_bf16;
        t_bf16 = enabled;
        return new Restore(previous);
    }

    /// <summary><paramref name="conv"/> applied to <paramref name="x"/>: in bfloat16 inside a scope, else as the module does.</summary>
    public static Tensor Conv(Conv2d conv, Tensor x)
    {
        if (!t_bf16)
        {
            return conv.call(x);
        }
        using var scope = NewDisposeScope();
        var y = functional.conv2d(x.to(ScalarType.BFloat16), conv.weight!.to(ScalarType.BFloat16), conv.bias?.to(ScalarType.BFloat16),
            conv.stride, conv.padding, conv.dilation, conv.groups);
        return y.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The matrix product <paramref name="a"/> @ <paramref name="b"/>: in bfloat16 inside a scope, returning float32.</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (!t_bf16)
        {
            return a.matmul(b);
        }
        using var scope = NewDisposeScope();
        return a.to(ScalarType.BFloat16).matmul(b.to(ScalarType.BFloat16)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    private sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => t_bf16 = previous;
    }
}
