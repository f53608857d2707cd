using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Training;

/// <summary>
/// What one run trains with — encoder, SGD optimiser, memory bank or queue with its key encoder, loss and the step —
/// built from its config in one fixed order, so that the trainer and the parity harness draw the same random numbers
/// from the same seed: libtorch's global generator is seeded, the encoder is initialised from it, the bank or queue
/// from a device generator of the same seed, and the key encoder (initialised, then overwritten with the encoder's
/// weights) from the global one again.
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    private readonly Generator _generator;

    private TrainingSetup(Generator generator, ContrastiveEncoder model, TorchSharp.Modules.SGD optimizer, MemoryBank? bank, MomentumQueue? queue,
        ContrastiveEncoder? keyModel, TrainingStep step)
    {
        (_generator, Model, Optimizer, Bank, Queue, KeyModel, Step) = (generator, model, optimizer, bank, queue, keyModel, step);
    }

    /// <summary>The encoder being trained.</summary>
    public ContrastiveEncoder Model { get; }

    /// <summary>SGD with the config's momentum and weight decay; the caller sets each step's learning rate.</summary>
    public TorchSharp.Modules.SGD Optimizer { get; }

    /// <summary>The memory bank, for <c>memory-bank</c>.</summary>
    public MemoryBank? Bank { get; }

    /// <summary>The queue, for <c>queue</c>.</summary>
    public MomentumQueue? Queue { get; }

    /// <summary>The momentum key encoder, for <c>queue</c>.</summary>
    public ContrastiveEncoder? KeyModel { get; }

    /// <summary>The training step over all of the above.</summary>
    public TrainingStep Step { get; }

    /// <summary>Builds everything on <paramref name="device"/> for a training set of <paramref name="trainCount"/> images of <paramref name="channels"/> channels.</summary>
    public static TrainingSetup Create(TrainConfig config, int trainCount, int channels, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        manual_seed(config.Seed);
        var generator = new Generator((ulong)config.Seed, device);
        var model = ModelFactory.Create(config.Model, channels, config.EmbeddingDim, config.Head == "mlp");
        model.to(device);
        var optimizer = optim.SGD(model.parameters(), config.Lr, config.Momentum, weight_decay: config.WeightDecay);
        var bank = config.Negatives == "memory-bank" ? new MemoryBank(trainCount, config.EmbeddingDim, config.BankMomentum, generator, device) : null;
        var queue = config.Negatives == "queue" ? new MomentumQueue(config.QueueSize, config.EmbeddingDim, generator, device) : null;
        var keyModel = config.Negatives == "queue" ? ModelFactory.Create(config.Model, channels, config.EmbeddingDim, config.Head == "mlp") : null;
        if (keyModel is not null)
        {
            keyModel.to(device);
            TrainingStep.MoveTowards(model, keyModel, 0);
            foreach (var p in keyModel.parameters())
            {
                p.requires_grad = false;
            }
        }
        var loss = LossRegistry.Create(Trainer.LossOptionsFor(config, trainCount));
        var step = new TrainingStep(model, optimizer, loss, bank, queue, keyModel, config.KeyMomentum);
        return new TrainingSetup(generator, model, optimizer, bank, queue, keyModel, step);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        KeyModel?.Dispose();
        Queue?.Dispose();
        Bank?.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
        _generator.Dispose();
    }
}
