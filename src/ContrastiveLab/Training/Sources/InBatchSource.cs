using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;

namespace ContrastiveLab.Training.Sources;

/// <summary>
/// <c>in-batch</c>: two views per image in one forward pass; each anchor's negatives are the other images of the
/// batch, and the loss is symmetrised over (view 1 → view 2) and (view 2 → view 1). Keeps no state.
/// </summary>
public sealed class InBatchSource : INegativeSource
{
    /// <summary>The registry's entry.</summary>
    public static NegativeSourceInfo Info { get; } = new("in-batch", 2, 2, (config, _) => config.BatchSize - 1, _ => new InBatchSource());

    /// <inheritdoc/>
    public Tensor? TrainingEmbeddings => null;

    /// <inheritdoc/>
    public bool InitialisesFromEncoder => false;

    /// <inheritdoc/>
    public Tensor Step(ContrastiveEncoder model, IContrastiveLoss loss, Tensor indices, Tensor view1, Tensor? view2, Action<Tensor> optimise)
    {
        ArgumentNullException.ThrowIfNull(view2);
        long b = view1.shape[0];
        var both = model.forward(cat([view1, view2], 0));
        var z1 = both.narrow(0, 0, b);
        var z2 = both.narrow(0, b, b);
        var value = (loss.Forward(z1, z2, Negatives.InBatch) + loss.Forward(z2, z1, Negatives.InBatch)) / 2;
        optimise(value);
        return value;
    }

    /// <inheritdoc/>
    public void Initialise(Tensor trainEmbeddings)
    {
    }

    /// <inheritdoc/>
    public void Save(CheckpointFiles files)
    {
    }

    /// <inheritdoc/>
    public void Restore(CheckpointFiles files)
    {
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
