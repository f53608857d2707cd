using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;

namespace ContrastiveLab.Training.Sources;

/// <summary>
/// Where a training step's negatives come from, and everything that follows from that choice: the views it trains
/// on, the state it keeps (a memory bank, a queue and its key encoder, or nothing), the step over that state and its
/// part of a checkpoint. Built by <see cref="NegativeSourceRegistry"/> from <see cref="TrainConfig.Negatives"/>.
/// </summary>
/// <remarks>
/// To add a source: one new file with a class implementing this interface and a static <see cref="NegativeSourceInfo"/>,
/// and one line in <see cref="NegativeSourceRegistry"/>. The trainer, checkpoints, evaluation and the config's
/// validation then know it by name.
/// </remarks>
public interface INegativeSource : IDisposable
{
    /// <summary>
    /// One step's loss: the forward passes, the loss, <paramref name="optimise"/> (which runs the backward pass and the
    /// optimiser step), then the source's own update (bank rows, key encoder, queue). Returns the loss tensor.
    /// </summary>
    /// <param name="model">The encoder being trained.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="indices">(B,) int64 dataset indices of the batch's images, on the model's device.</param>
    /// <param name="view1">(B, C, H, W) first augmented view.</param>
    /// <param name="view2">(B, C, H, W) second view, for sources with two views per image; null otherwise.</param>
    /// <param name="optimise">Backward pass and optimiser step on the loss given.</param>
    Tensor Step(ContrastiveEncoder model, IContrastiveLoss loss, Tensor indices, Tensor view1, Tensor? view2, Action<Tensor> optimise);

    /// <summary>
    /// One embedding per training image that the source keeps (the memory bank), which the evaluation then also runs
    /// its kNN against and takes as the diagnostics' reference; null for a source that keeps none.
    /// </summary>
    Tensor? TrainingEmbeddings { get; }

    /// <summary>True when the source wants <see cref="Initialise"/> with the untrained encoder's clean embeddings.</summary>
    bool InitialisesFromEncoder { get; }

    /// <summary>Starts the source's state from (N, D) clean embeddings of every training image.</summary>
    void Initialise(Tensor trainEmbeddings);

    /// <summary>Writes the source's state into a checkpoint.</summary>
    void Save(CheckpointFiles files);

    /// <summary>Reads the state written by <see cref="Save"/> back.</summary>
    void Restore(CheckpointFiles files);
}

/// <summary>What a negative source is before one is built: its name, views per image, cost and how to build it.</summary>
/// <param name="Name">The name in configs and on the command line (<c>--negatives</c>).</param>
/// <param name="ViewsPerImage">Augmented views per image in a batch: 1 or 2.</param>
/// <param name="ForwardBackwardsPerImage">A step's FLOPs per image in units of one view's forward and backward pass (a forward alone is a third).</param>
/// <param name="AvailableNegatives">Negatives an anchor has, given the config and the number of training images.</param>
/// <param name="Create">Builds the source.</param>
public sealed record NegativeSourceInfo(string Name, int ViewsPerImage, double ForwardBackwardsPerImage,
    Func<TrainConfig, int, int> AvailableNegatives, Func<NegativeSourceContext, INegativeSource> Create);

/// <summary>What a source is built from.</summary>
/// <param name="Config">The run's config.</param>
/// <param name="TrainCount">Training images.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Device">Where its tensors live.</param>
/// <param name="Generator">The run's seeded generator, for the initial state of a bank or queue.</param>
/// <param name="Model">The encoder being trained (a key encoder starts as its copy).</param>
public sealed record NegativeSourceContext(TrainConfig Config, int TrainCount, int Channels, Device Device, Generator Generator, ContrastiveEncoder Model);
