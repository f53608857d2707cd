namespace ContrastiveLab.Models;

/// <summary>
/// Floating-point operations of a model, counted from its layers while it runs: a convolution does
/// 2·C_out·H_out·W_out·(C_in/groups)·k_h·k_w per image, a linear layer 2·in·out per row (one multiply and one add per
/// weight use; biases, batch norm, activations and pooling are left out, being a few percent at most). A training step
/// costs about three forwards: the backward pass computes the input gradient and the weight gradient, each as large as
/// the forward (<see cref="TrainingPerImage"/>; the first layer's input gradient, not needed, is counted too).
/// </summary>
public static class ModelFlops
{
    /// <summary>Forward FLOPs per image of <paramref name="model"/> on <paramref name="channels"/>×<paramref name="size"/>² inputs.</summary>
    public static double ForwardPerImage(Module<Tensor, Tensor> model, long channels, long size)
    {
        ArgumentNullException.ThrowIfNull(model);
        const int images = 2;
        double flops = 0;
        var hooks = new List<Action>();
        foreach (var (_, layer) in model.named_modules())
        {
            switch (layer)
            {
                case Conv2d conv:
                    var convHook = conv.register_forward_hook((m, input, output) =>
                    {
                        var w = conv.weight!;
                        flops += 2.0 * output.numel() * w.shape[1] * w.shape[2] * w.shape[3];
                        return output;
                    });
                    hooks.Add(convHook.remove);
                    break;
                case Linear linear:
                    var linearHook = linear.register_forward_hook((m, input, output) =>
                    {
                        flops += 2.0 * output.numel() * linear.weight!.shape[1];
                        return output;
                    });
                    hooks.Add(linearHook.remove);
                    break;
            }
        }
        bool training = model.training;
        // The guard's matrix-product path does not call the convolution module, so count with oneDNN's (a forward
        // pass only, which is safe on every CPU).
        using var guardOff = Runtime.ConvolutionGuard.Force(false);
        try
        {
            model.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.forward(zeros(images, channels, size, size, device: model.parameters().FirstOrDefault()?.device ?? CPU));
        }
        finally
        {
            hooks.ForEach(remove => remove());
            model.train(training);
        }
        return flops / images;
    }

    /// <summary>FLOPs of one training step per image: forward plus a backward of twice the forward.</summary>
    public static double TrainingPerImage(Module<Tensor, Tensor> model, long channels, long size) => 3 * ForwardPerImage(model, channels, size);
}
