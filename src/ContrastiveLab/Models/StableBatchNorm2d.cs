namespace ContrastiveLab.Models;

/// <summary>
/// 2-D batch normalisation with TorchSharp's parameter and buffer names (<c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>) and PyTorch's defaults (momentum 0.1,
/// eps 1e-5), computed by <c>functional.batch_norm</c>.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own BatchNorm increments <c>num_batches_tracked</c> with an implicitly converted Scalar that
/// nothing keeps alive; if a garbage collection finalises it during the native call, libtorch reads freed memory
/// ("Unknown scalar type"). We saw that crash twice in 10-epoch runs while other threads were allocating. This
/// module holds its Scalar in a field for its whole life, so no finaliser can run under a native call here.
/// </remarks>
public sealed class StableBatchNorm2d : Module<Tensor, Tensor>
{
    private const double Momentum = 0.1;
    private const double Eps = 1e-5;
    private readonly Scalar _one = 1L.ToScalar();

    public StableBatchNorm2d(long features) : base("BatchNorm2d")
    {
        register_parameter("weight", new Parameter(ones(features)));
        register_parameter("bias", new Parameter(zeros(features)));
        register_buffer("running_mean", zeros(features));
        register_buffer("running_var", ones(features));
        register_buffer("num_batches_tracked", tensor(0L));
    }

    /// <summary>The scale γ (C,).</summary>
    public Parameter Weight => get_parameter("weight")!;

    /// <summary>The shift β (C,).</summary>
    public Parameter Bias => get_parameter("bias")!;

    /// <summary>(B, C, H, W) → (B, C, H, W), normalised with batch statistics in training and running ones in eval.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4)
        {
            throw new ArgumentException($"batch norm expects (B, C, H, W) input, got {input.dim()} dimensions", nameof(input));
        }
        if (training)
        {
            using var noGrad = no_grad();
            get_buffer("num_batches_tracked")!.add_(_one, _one);
        }
        return functional.batch_norm(input, get_buffer("running_mean"), get_buffer("running_var"), Weight, Bias, training, Momentum, Eps);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _one.Dispose();
        }
        base.Dispose(disposing);
    }
}
