using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using ContrastiveLab.Training.Sources;

namespace ContrastiveLab.Training;

/// <summary>
/// One optimisation step — zero the gradients, the negative source's forward passes and loss, backward, SGD, and the
/// source's own update (<see cref="INegativeSource.Step"/>) — shared by <see cref="Trainer"/>, the parity harness and
/// the training benchmarks, so that what is timed is what trains.
/// </summary>
/// <param name="model">The encoder being trained.</param>
/// <param name="optimizer">Its optimiser (the learning rate is set by the caller).</param>
/// <param name="loss">The loss.</param>
/// <param name="negatives">Where the negatives come from.</param>
/// <param name="bf16">Run the encoders' convolutions in bfloat16 (<see cref="Autocast"/>); everything else stays float32.</param>
public sealed class TrainingStep(ContrastiveEncoder model, optim.Optimizer optimizer, IContrastiveLoss loss, INegativeSource negatives, bool bf16 = false)
{
    private readonly ContrastiveEncoder _model = model ?? throw new ArgumentNullException(nameof(model));
    private readonly optim.Optimizer _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    private readonly IContrastiveLoss _loss = loss ?? throw new ArgumentNullException(nameof(loss));
    private readonly INegativeSource _negatives = negatives ?? throw new ArgumentNullException(nameof(negatives));

    /// <summary>Runs one step; returns the loss value (before the update).</summary>
    /// <param name="indices">(B,) int64 dataset indices of the images (the bank rows), on the model's device.</param>
    /// <param name="view1">(B, C, H, W) first augmented view.</param>
    /// <param name="view2">(B, C, H, W) second view; required for two-view sources, null otherwise.</param>
    public double Run(Tensor indices, Tensor view1, Tensor? view2)
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        using var precision = Autocast.BFloat16(bf16);
        var value = _negatives.Step(_model, _loss, indices, view1, view2, Optimise);
        return value.item<float>();
    }

    private void Optimise(Tensor value)
    {
        value.backward();
        _optimizer.step();
    }
}
