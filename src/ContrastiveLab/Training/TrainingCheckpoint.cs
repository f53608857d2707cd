using ContrastiveLab.Evaluation;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;

namespace ContrastiveLab.Training;

/// <summary>Where a run stands when a checkpoint is taken: what training needs besides the tensors to go on exactly.</summary>
/// <param name="NextEpoch">The epoch to continue in (1-based).</param>
/// <param name="NextBatch">The batch of that epoch to continue from (0 at an epoch boundary).</param>
/// <param name="Step">Optimisation steps done so far.</param>
/// <param name="WallSeconds">Training wall time so far, over every process of the run.</param>
/// <param name="BestKnn">The best kNN top-1 seen (−1 before any evaluation).</param>
/// <param name="EpochLossSum">Sum of the losses of the epoch's batches done so far (a mid-epoch checkpoint).</param>
/// <param name="EpochLossCount">How many batches that sum holds.</param>
/// <param name="History">The metric rows of the epochs evaluated so far.</param>
public sealed record CheckpointProgress(int NextEpoch, int NextBatch, long Step, double WallSeconds, double BestKnn,
    double EpochLossSum, int EpochLossCount, List<MetricRow> History)
{
    /// <summary>A run's start: epoch 1, batch 0, nothing done, no kNN seen (a fresh history each time).</summary>
    public static CheckpointProgress Start => new(1, 0, 0, 0, -1, 0, 0, []);
}

/// <summary>
/// The files of one training checkpoint inside a <see cref="CheckpointStore"/> entry, written and read in one place:
/// the model, the optimiser, the negative source's own entries (<see cref="Sources.INegativeSource.Save"/>: the memory
/// bank, or the queue with its key encoder) and <c>meta.json</c> with the <see cref="CheckpointProgress"/>.
/// </summary>
public static class TrainingCheckpoint
{
    // Metric rows may hold NaN (an epoch without evaluation); JSON has no NaN, so it is written as a named literal.
    private static readonly JsonSerializerOptions NumbersJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes the checkpoint <paramref name="name"/> of <paramref name="setup"/>'s state into <paramref name="store"/>.</summary>
    public static void Save(CheckpointStore store, string name, bool best, TrainingSetup setup, CheckpointProgress progress)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(progress);
        var meta = new JsonObject
        {
            ["next_epoch"] = progress.NextEpoch,
            ["next_batch"] = progress.NextBatch,
            ["step"] = progress.Step,
            ["wall_seconds"] = progress.WallSeconds,
            ["best_knn"] = progress.BestKnn,
            ["epoch_loss_sum"] = progress.EpochLossSum,
            ["epoch_loss_count"] = progress.EpochLossCount,
            ["history"] = JsonSerializer.SerializeToNode(progress.History.Select(r => r.ToDictionary()).ToList(), NumbersJson),
        };
        store.Save(name, ((long)progress.NextEpoch << 32) | (uint)progress.NextBatch, best, dir =>
        {
            var files = new CheckpointFiles(dir, meta);
            files.WriteModule(RunFiles.CheckpointModel, setup.Model);
            files.Write(RunFiles.CheckpointOptimizer, w => setup.Optimizer.save_state_dict(w));
            setup.Negatives.Save(files);
            files.Write(RunFiles.CheckpointMeta, w => w.Write(Encoding.UTF8.GetBytes(meta.ToJsonString())));
        });
    }

    /// <summary>Loads the checkpoint in <paramref name="checkpointPath"/> into <paramref name="setup"/>; returns where the run stood.</summary>
    public static CheckpointProgress Restore(string checkpointPath, TrainingSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpointPath, RunFiles.CheckpointMeta)))!.AsObject();
        var files = new CheckpointFiles(checkpointPath, meta);
        files.LoadModule(RunFiles.CheckpointModel, setup.Model);
        setup.Optimizer.load_state_dict(Path.Combine(checkpointPath, RunFiles.CheckpointOptimizer));
        setup.Negatives.Restore(files);
        return new CheckpointProgress(
            meta["next_epoch"]!.GetValue<int>(), meta["next_batch"]!.GetValue<int>(), meta["step"]!.GetValue<long>(),
            meta["wall_seconds"]!.GetValue<double>(), meta["best_knn"]!.GetValue<double>(),
            meta["epoch_loss_sum"]!.GetValue<double>(), meta["epoch_loss_count"]!.GetValue<int>(),
            [.. meta["history"]!.Deserialize<List<Dictionary<string, double>>>(NumbersJson)!.Select(MetricRow.FromColumns)]);
    }
}
