using ContrastiveLab.Evaluation;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

/// <summary>A checkpoint written by <see cref="TrainingCheckpoint.Save"/> reads back as the same state and progress.</summary>
public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData("memory-bank")]
    [InlineData("queue")]
    [InlineData("in-batch")]
    public void Save_then_restore_gives_back_every_tensor_and_the_progress(string negatives)
    {
        var config = new TrainConfig { Negatives = negatives, QueueSize = 16, Seed = 5 };
        using var saved = TrainingSetup.Create(config, 40, 1, CPU);
        using (no_grad())
        {
            // Move everything off its initial values, so a restore that loaded nothing would be caught.
            foreach (var p in saved.Model.parameters())
            {
                p.add_(0.25);
            }
            (saved.Negatives as MemoryBankSource)?.Bank.Entries.add_(0.5);
            if (saved.Negatives is QueueSource queue)
            {
                queue.Queue.Load(queue.Queue.Keys.add(0.5), pointer: 7);
                foreach (var p in queue.KeyModel.parameters())
                {
                    p.add_(-0.25);
                }
            }
        }
        var history = new List<MetricRow>
        {
            new(0, 0, double.NaN, double.NaN, double.NaN, 0.61) { Evaluated = true, KnnBankTop1 = 0.5, Diagnostics = [KeyValuePair.Create("tolerance", 0.25)] },
            new(1, 13, 0.06, 3.25, 800, double.NaN) { GflopsPerS = 1.5 },
        };
        var progress = new CheckpointProgress(2, 3, 13, 12.5, 0.7, 9.75, 3, history);
        var store = new CheckpointStore(_root);
        TrainingCheckpoint.Save(store, "epoch-0001", best: true, saved, progress);

        using var restored = TrainingSetup.Create(config with { Seed = 6 }, 40, 1, CPU);
        var back = TrainingCheckpoint.Restore(store.LatestValid()!.Path, restored);

        Assert.Equal((progress.NextEpoch, progress.NextBatch, progress.Step, progress.WallSeconds, progress.BestKnn, progress.EpochLossSum, progress.EpochLossCount),
            (back.NextEpoch, back.NextBatch, back.Step, back.WallSeconds, back.BestKnn, back.EpochLossSum, back.EpochLossCount));
        Assert.Equal(2, back.History.Count);
        Assert.True(double.IsNaN(back.History[0].Loss));
        Assert.Equal(history.Select(r => r.Columns().ToList()), back.History.Select(r => r.Columns().ToList()));
        foreach (var ((name, a), (_, b)) in saved.Model.state_dict().Zip(restored.Model.state_dict()))
        {
            Assert.True((a == b).all().item<bool>(), $"model {name} differs after the round trip");
        }
        if (saved.Negatives is MemoryBankSource bank)
        {
            Assert.True((bank.Bank.Entries == ((MemoryBankSource)restored.Negatives).Bank.Entries).all().item<bool>(), "the bank differs after the round trip");
        }
        if (saved.Negatives is QueueSource savedQueue)
        {
            var restoredQueue = (QueueSource)restored.Negatives;
            Assert.True((savedQueue.Queue.Keys == restoredQueue.Queue.Keys).all().item<bool>(), "the queue differs after the round trip");
            Assert.Equal(7, restoredQueue.Queue.Pointer);
            foreach (var ((name, a), (_, b)) in savedQueue.KeyModel.state_dict().Zip(restoredQueue.KeyModel.state_dict()))
            {
                Assert.True((a == b).all().item<bool>(), $"key model {name} differs after the round trip");
            }
        }
    }
}
