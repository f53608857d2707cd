using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

public class TrainingStepTests
{
    [Fact]
    public void Queue_keys_come_from_the_second_view_through_the_key_encoder_before_it_moves()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = ModelFactory.Create("small-cnn", 1, 16);
        using var keyModel = ModelFactory.Create("small-cnn", 1, 16);
        QueueSource.MoveTowards(model, keyModel, 0);
        keyModel.eval(); // batch statistics would otherwise make a second forward differ from the step's
        using var queue = new MomentumQueue(32, 16, new Generator(2));
        var optimizer = optim.SGD(model.parameters(), 0.1, 0.9);
        var step = new TrainingStep(model, optimizer, new ContrastiveLoss(0.2), new QueueSource(queue, keyModel, keyMomentum: 0.5));
        var view1 = randn(8, 1, 28, 28);
        var view2 = randn(8, 1, 28, 28);
        Tensor expected, fromView1;
        using (no_grad())
        {
            expected = keyModel.forward(view2).clone();
            fromView1 = keyModel.forward(view1).clone();
        }
        var keyBefore = keyModel.parameters().First().clone();

        double loss = step.Run(arange(8, dtype: ScalarType.Int64), view1, view2);

        Assert.True(double.IsFinite(loss));
        var enqueued = queue.Keys.narrow(0, 0, 8);
        Assert.True(enqueued.allclose(expected, rtol: 1e-5, atol: 1e-6), "the queue must hold the key encoder's embeddings of view 2");
        Assert.False(enqueued.allclose(fromView1, rtol: 1e-3, atol: 1e-3), "keys of view 1 would make the positive trivial");
        Assert.Equal(8, queue.Pointer);
        // The key encoder moved half-way towards the updated query encoder.
        var moved = keyBefore.mul(0.5).add(model.parameters().First().detach(), alpha: 0.5);
        Assert.True(keyModel.parameters().First().allclose(moved, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void Memory_bank_step_updates_only_the_batch_rows()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        using var model = ModelFactory.Create("small-cnn", 1, 16);
        using var bank = new MemoryBank(20, 16, generator: new Generator(3));
        var before = bank.Entries.clone();
        var step = new TrainingStep(model, optim.SGD(model.parameters(), 0.1), new ContrastiveLoss(0.2), new MemoryBankSource(bank, initialiseFromEncoder: false));
        var rows = tensor(new long[] { 3, 7, 11, 19 });
        step.Run(rows, randn(4, 1, 28, 28), null);
        var changed = bank.Entries.sub(before).abs().sum(1).gt(0);
        Assert.Equal(new[] { 3L, 7, 11, 19 }, changed.nonzero().view(-1).data<long>().ToArray());
    }

    [Fact]
    public void Two_view_sources_refuse_a_missing_second_view()
    {
        using var scope = NewDisposeScope();
        using var model = ModelFactory.Create("small-cnn", 1, 16);
        var step = new TrainingStep(model, optim.SGD(model.parameters(), 0.1), new ContrastiveLoss(0.2), new InBatchSource());
        Assert.Throws<ArgumentNullException>(() => step.Run(arange(4, dtype: ScalarType.Int64), randn(4, 1, 28, 28), null));
        Assert.Equal(1, NegativeSourceRegistry.Get("memory-bank").ViewsPerImage);
        Assert.Equal(2, NegativeSourceRegistry.Get("queue").ViewsPerImage);
        Assert.Equal(2, NegativeSourceRegistry.Get("in-batch").ViewsPerImage);
    }
}
