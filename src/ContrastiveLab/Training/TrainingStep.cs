using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Training;

/// <summary>
/// One optimisation step for each negative source — forward, loss, backward, SGD, and the bank, queue or key-encoder
/// update — shared by <see cref="Trainer"/> and the training benchmarks, so that what is timed is what trains.
/// <list type="bullet">
/// <item><c>memory-bank</c>: one view; the positive is the anchor's bank entry, the negatives the other N − 1 entries;
/// the bank rows of the batch are then updated with the detached embeddings.</item>
/// <item><c>in-batch</c>: two views; the loss is symmetrised over (view 1 → view 2) and (view 2 → view 1).</item>
/// <item><c>queue</c>: two views; the query encoder sees view 1, the momentum key encoder view 2; the negatives are the
/// queue; then the key encoder moves towards the query encoder and the keys are enqueued.</item>
/// </list>
/// </summary>
public sealed class TrainingStep
{
    private readonly ContrastiveEncoder _model;
    private readonly optim.Optimizer _optimizer;
    private readonly IContrastiveLoss _loss;
    private readonly MemoryBank? _bank;
    private readonly MomentumQueue? _queue;
    private readonly ContrastiveEncoder? _keyModel;
    private readonly double _keyMomentum;

    /// <summary>Views per image this negative source trains on: 1 for the memory bank, 2 otherwise.</summary>
    public static int ViewsFor(string negatives) => negatives == "memory-bank" ? 1 : 2;

    /// <param name="model">The encoder being trained.</param>
    /// <param name="optimizer">Its optimiser (the learning rate is set by the caller).</param>
    /// <param name="loss">The loss.</param>
    /// <param name="bank">The memory bank, for <c>memory-bank</c>.</param>
    /// <param name="queue">The queue, for <c>queue</c>.</param>
    /// <param name="keyModel">The momentum key encoder, for <c>queue</c>.</param>
    /// <param name="keyMomentum">The key encoder's momentum, for <c>queue</c>.</param>
    public TrainingStep(ContrastiveEncoder model, optim.Optimizer optimizer, IContrastiveLoss loss, MemoryBank? bank = null,
        MomentumQueue? queue = null, ContrastiveEncoder? keyModel = null, double keyMomentum = 0.99)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if ((queue is null) != (keyModel is null))
        {
            throw new ArgumentException("a queue needs a key encoder and a key encoder a queue");
        }
        if (bank is not null && queue is not null)
        {
            throw new ArgumentException("one negative source: a memory bank or a queue, not both");
        }
        (_model, _optimizer, _loss, _bank, _queue, _keyModel, _keyMomentum) = (model, optimizer, loss, bank, queue, keyModel, keyMomentum);
    }

    /// <summary>Runs one step; returns the loss value (before the update).</summary>
    /// <param name="indices">(B,) int64 dataset indices of the images (the bank rows), on the model's device.</param>
    /// <param name="view1">(B, C, H, W) first augmented view.</param>
    /// <param name="view2">(B, C, H, W) second view; required for in-batch and queue, ignored for the memory bank.</param>
    public double Run(Tensor indices, Tensor view1, Tensor? view2)
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        Tensor value;
        if (_bank is not null)
        {
            var z = _model.forward(view1);
            var positives = _bank.Gather(indices);
            value = _loss.Forward(z, positives, Negatives.Shared(_bank.Entries, indices));
            value.backward();
            _optimizer.step();
            _bank.Update(indices, z.detach());
            return value.item<float>();
        }
        ArgumentNullException.ThrowIfNull(view2);
        if (_queue is null)
        {
            long b = view1.shape[0];
            var both = _model.forward(cat([view1, view2], 0));
            var z1 = both.narrow(0, 0, b);
            var z2 = both.narrow(0, b, b);
            value = (_loss.Forward(z1, z2, Negatives.InBatch) + _loss.Forward(z2, z1, Negatives.InBatch)) / 2;
            value.backward();
            _optimizer.step();
            return value.item<float>();
        }
        var q = _model.forward(view1);
        Tensor keys;
        using (no_grad())
        {
            keys = _keyModel!.forward(view2);
        }
        value = _loss.Forward(q, keys, Negatives.Shared(_queue.Keys));
        value.backward();
        _optimizer.step();
        MoveTowards(_model, _keyModel, _keyMomentum);
        _queue.Enqueue(keys);
        return value.item<float>();
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
}
