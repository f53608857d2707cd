using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using ContrastiveLab.Training.Sources;

namespace ContrastiveLab.Training;

/// <summary>
/// What one run trains with — encoder, SGD optimiser, negative source, loss and the step — built from its config in
/// one fixed order, so that the trainer and the parity harness draw the same random numbers from the same seed:
/// libtorch's global generator is seeded, the encoder is initialised from it, then the negative source is built (a
/// bank or queue from a device generator of the same seed, a key encoder from the global generator again).
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    private readonly Generator _generator;

    private TrainingSetup(Generator generator, ContrastiveEncoder model, TorchSharp.Modules.SGD optimizer, INegativeSource negatives, TrainingStep step)
    {
        (_generator, Model, Optimizer, Negatives, Step) = (generator, model, optimizer, negatives, step);
    }

    /// <summary>The encoder being trained.</summary>
    public ContrastiveEncoder Model { get; }

    /// <summary>SGD with the config's momentum and weight decay; the caller sets each step's learning rate.</summary>
    public TorchSharp.Modules.SGD Optimizer { get; }

    /// <summary>The negative source of <see cref="TrainConfig.Negatives"/>, with its state.</summary>
    public INegativeSource Negatives { get; }

    /// <summary>The training step over all of the above.</summary>
    public TrainingStep Step { get; }

    /// <summary>Builds everything on <paramref name="device"/> for a training set of <paramref name="trainCount"/> images of <paramref name="channels"/> channels.</summary>
    public static TrainingSetup Create(TrainConfig config, int trainCount, int channels, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        var info = NegativeSourceRegistry.Get(config.Negatives);
        manual_seed(config.Seed);
        var generator = new Generator((ulong)config.Seed, device);
        var model = ModelFactory.Create(config.Model, channels, config.EmbeddingDim, config.Head == "mlp");
        model.to(device);
        var optimizer = optim.SGD(model.parameters(), config.Lr, config.Momentum, weight_decay: config.WeightDecay);
        var negatives = info.Create(new NegativeSourceContext(config, trainCount, channels, device, generator, model));
        var loss = LossRegistry.Create(Trainer.LossOptionsFor(config, trainCount));
        var step = new TrainingStep(model, optimizer, loss, negatives, config.Precision == TrainConfig.BFloat16);
        return new TrainingSetup(generator, model, optimizer, negatives, step);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Negatives.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
        _generator.Dispose();
    }
}
