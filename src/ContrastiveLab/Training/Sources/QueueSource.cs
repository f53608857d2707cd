using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;

namespace ContrastiveLab.Training.Sources;

/// <summary>
/// <c>queue</c>: two views per image; the encoder sees view 1 and a momentum key encoder view 2; the negatives are a
/// queue of earlier keys. After the optimiser step the key encoder moves towards the encoder and the batch's keys
/// are enqueued.
/// </summary>
public sealed class QueueSource : INegativeSource
{
    /// <summary>The queue's checkpoint file.</summary>
    public const string QueueFile = "queue.bin";

    /// <summary>The key encoder's checkpoint file.</summary>
    public const string KeyModelFile = "key_model.bin";

    /// <summary>The queue's write position in the checkpoint's meta.json.</summary>
    public const string PointerKey = "queue_pointer";

    private readonly double _keyMomentum;

    /// <summary>The registry's entry.</summary>
    public static NegativeSourceInfo Info { get; } = new("queue", 2, 4.0 / 3, (config, _) => config.QueueSize, Create);

    /// <param name="queue">The queue of keys.</param>
    /// <param name="keyModel">The key encoder (its parameters take no gradient here).</param>
    /// <param name="keyMomentum">The key encoder's momentum m: key ← m·key + (1 − m)·encoder after each step.</param>
    public QueueSource(MomentumQueue queue, ContrastiveEncoder keyModel, double keyMomentum)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(keyModel);
        (Queue, KeyModel, _keyMomentum) = (queue, keyModel, keyMomentum);
        foreach (var p in keyModel.parameters())
        {
            p.requires_grad = false;
        }
    }

    /// <summary>The queue of keys.</summary>
    public MomentumQueue Queue { get; }

    /// <summary>The momentum key encoder.</summary>
    public ContrastiveEncoder KeyModel { get; }

    /// <inheritdoc/>
    public Tensor? TrainingEmbeddings => null;

    /// <inheritdoc/>
    public bool InitialisesFromEncoder => false;

    // The queue from the run's generator first, then the key encoder from the global one (initialised, then
    // overwritten with the encoder's weights): the order the parity harness replays.
    private static QueueSource Create(NegativeSourceContext c)
    {
        var queue = new MomentumQueue(c.Config.QueueSize, c.Config.EmbeddingDim, c.Generator, c.Device);
        var keyModel = ModelFactory.Create(c.Config.Model, c.Channels, c.Config.EmbeddingDim, c.Config.Head == "mlp");
        keyModel.to(c.Device);
        MoveTowards(c.Model, keyModel, 0);
        return new QueueSource(queue, keyModel, c.Config.KeyMomentum);
    }

    /// <inheritdoc/>
    public Tensor Step(ContrastiveEncoder model, IContrastiveLoss loss, Tensor indices, Tensor view1, Tensor? view2, Action<Tensor> optimise)
    {
        ArgumentNullException.ThrowIfNull(view2);
        var q = model.forward(view1);
        Tensor keys;
        using (no_grad())
        {
            keys = KeyModel.forward(view2);
        }
        var value = loss.Forward(q, keys, Negatives.Shared(Queue.Keys));
        optimise(value);
        MoveTowards(model, KeyModel, _keyMomentum);
        Queue.Enqueue(keys);
        return value;
    }

    /// <inheritdoc/>
    public void Initialise(Tensor trainEmbeddings)
    {
    }

    /// <inheritdoc/>
    public void Save(CheckpointFiles files)
    {
        files.WriteTensor(QueueFile, Queue.Keys);
        files.WriteModule(KeyModelFile, KeyModel);
        files.Meta[PointerKey] = Queue.Pointer;
    }

    /// <inheritdoc/>
    public void Restore(CheckpointFiles files)
    {
        using var saved = files.ReadTensor(QueueFile);
        Queue.Load(saved, files.Meta[PointerKey]!.GetValue<long>());
        files.LoadModule(KeyModelFile, KeyModel);
    }

    /// <summary>target ← m·target + (1 − m)·source for parameters; buffers (batch-norm statistics) are copied.</summary>
    public static void MoveTowards(nn.Module source, nn.Module target, double m)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        using var noGrad = no_grad();
        using Scalar keep = m, take = 1 - m;
        foreach (var ((_, s), (_, t)) in source.named_parameters().Zip(target.named_parameters()))
        {
            t.mul_(keep).add_(s, alpha: take);
        }
        foreach (var ((_, s), (_, t)) in source.named_buffers().Zip(target.named_buffers()))
        {
            t.copy_(s);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        KeyModel.Dispose();
        Queue.Dispose();
    }
}
