using System.Diagnostics;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Core.Losses;
using ContrastiveLab.Data;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.Models;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Runtime;
using ContrastiveLab.Training.Sources;

namespace ContrastiveLab.Training;

/// <summary>
/// Runs one training run into a run folder, top to bottom: data, model, negative source, then epochs of
/// steps, each epoch followed by evaluation, metrics, TensorBoard scalars and a checkpoint.
/// </summary>
/// <remarks>
/// Everything random is seeded: parameters and the bank from <see cref="TrainConfig.Seed"/>, and each augmented
/// view from (seed, epoch, image, view). The learning rate is a pure function of (epoch, step). A checkpoint
/// holds the model, the optimiser, the bank or queue and the metrics so far, so a resumed run continues exactly
/// where the checkpoint was taken and ends with the same numbers as an uninterrupted one (on CPU).
/// </remarks>
public static partial class Trainer
{
    /// <summary>
    /// Fault injection for tests: called before every optimisation step with the global step number (from 1) and the
    /// model, so a test can damage the weights the way a diverging run does and check what the trainer then reports.
    /// Null outside tests.
    /// </summary>
    internal static Action<long, ContrastiveEncoder>? FaultBeforeStep { get; set; }

    /// <summary>Trains <paramref name="config"/> into <paramref name="runDirectory"/> and returns the summary it wrote.</summary>
    /// <exception cref="ArgumentException">The config is invalid.</exception>
    /// <exception cref="UserError">The folder cannot take this run (another run, a file, not empty), or the batch exceeds the training set.</exception>
    /// <exception cref="TrainingStoppedException">The loss diverged, or the run was interrupted (a checkpoint was written).</exception>
    public static JsonObject Run(TrainConfig config, string runDirectory, TrainRunOptions options)
    {
        config.Validate();
        CheckPrecision(config, options.Device, options.CpuHasBf16);
        var wall = Stopwatch.StartNew();
        // ---- data. Every check that can refuse the run comes before anything is written: a refused command leaves
        // no folder behind that the corrected one would then be refused by.
        CheckFolder(runDirectory, options.Resume);
        var skipped = new List<string>();
        var (train, test, classes) = Splits(config, options.Download, skipped);
        var (trainPipeline, evalPipeline) = Pipelines(config);
        int workers = config.Workers > 0 ? config.Workers : Environment.ProcessorCount;
        var source = NegativeSourceRegistry.Get(config.Negatives);
        var loader = new AugmentedLoader(train, trainPipeline, config.BatchSize, source.ViewsPerImage, config.Seed, shuffle: true, dropLast: true, workers: workers);
        if (loader.BatchesPerEpoch == 0 && config.Epochs > 0)
        {
            throw new UserError($"batch-size = {config.BatchSize} exceeds the {train.Count} training images");
        }

        // ---- the run folder: locked, checked against the run it holds, then config.json and environment.json
        using var runLock = RunLock.Acquire(runDirectory, options.LockWait);
        var store = new CheckpointStore(runDirectory);
        if (OpenFolder(config, runDirectory, options, store) is { } finished)
        {
            return finished;
        }
        var (log, device) = (options.Log, options.Device);
        using var trainLabels = tensor(train.Labels()).to(device);
        using var testLabels = tensor(test.Labels()).to(device);
        log.WriteLine($"run: {config.Describe}; {train.Count} train / {test.Count} test images, augmentation {trainPipeline.Options.Name}");
        if (skipped.Count > 0)
        {
            log.WriteLine($"data: skip_bad_images left out {Count(skipped.Count, "image file")} that would not decode; the first: {skipped[0]}");
        }

        // ---- model, optimiser, negative source, loss; where a checkpoint left off
        using var setup = TrainingSetup.Create(config, train.Count, train.Channels, device);
        var (model, optimizer, negatives) = (setup.Model, setup.Optimizer, setup.Negatives);
        double flopsPerImage = TrainingFlopsPerImage(model, train.Channels, trainPipeline.Options.OutputSize, source);
        var start = options.Resume ? ResumePoint(store, setup, log) : CheckpointProgress.Start;
        var (history, step, bestKnn) = (start.History, start.Step, start.BestKnn);
        var eta = new EtaClock(config.Epochs, loader.BatchesPerEpoch, start.NextEpoch, start.NextBatch, wall);
        // Steps after the checkpoint that an earlier process logged before it died are logged again from here: TensorBoard
        // drops its copies of them (a fresh start drops everything an earlier attempt logged).
        using var logs = new RunLogs(runDirectory, history, history.Count == 0 ? 0 : step + 1, config, log);
        var anchorRows = DiagnosticAnchors(train.Count, config.DiagnosticAnchors, config.Seed);
        var evaluation = new EpochEvaluation(new EvaluationSettings(config.KnnK, config.KnnSigma, config.KnnBackbone, config.Tau, config.Seed), model, train, test, classes, trainLabels, testLabels, trainPipeline, evalPipeline, anchorRows, device, workers);

        // ---- the untrained encoder is epoch 0: the baseline every report shows
        if (history.Count == 0)
        {
            // A source that starts from the encoder (bank_init = encoder) takes the clean embeddings computed here anyway.
            logs.Record(Evaluate(0, double.NaN, double.NaN, double.NaN, monitor: false, initialise: negatives.InitialisesFromEncoder && config.Epochs > 0), null);
            if (config.Epochs == 0)
            {
                // The untrained encoder is a run of its own: `eval`, `export` and `analyze` need its weights too.
                SaveCheckpoint(1, 0, "epoch-0000", best: true, 0, 0);
            }
        }

        // ---- the epochs. A run resumed from its final checkpoint (killed before the summary was written) trains no further.
        for (int epoch = start.NextEpoch; epoch <= config.Epochs && !ReachedMaxSteps(); epoch++)
        {
            model.train();
            var epochWatch = Stopwatch.StartNew();
            bool midEpoch = epoch == start.NextEpoch && start.NextBatch > 0;
            double lossSum = midEpoch ? start.EpochLossSum : 0, lr = config.Lr;
            int lossCount = midEpoch ? start.EpochLossCount : 0, images = 0;
            int batchIndex = epoch == start.NextEpoch ? start.NextBatch : 0;
            // Training runs in libtorch: a process that dies here by a signal leaves the phase marker behind.
            using (NativePhase.Enter(runDirectory, $"epoch {epoch} training (from global step {step + 1})"))
            {
                foreach (var batch in loader.Epoch(epoch, batchIndex, options.Cancel))
                {
                    lr = LearningRate(config, epoch, batchIndex, loader.BatchesPerEpoch);
                    LearningRateSchedule.Apply(optimizer, lr);
                    FaultBeforeStep?.Invoke(step + 1, model);
                    double value = Step(setup.Step, batch, device);
                    if (!double.IsFinite(value))
                    {
                        throw new TrainingStoppedException(
                            $"loss became {value} at epoch {epoch}, step {batchIndex + 1} (global step {step + 1}); the last good checkpoint is kept in {store.Directory}. Try a larger tau or a smaller lr.", interrupted: false);
                    }
                    (lossSum, lossCount, images, step, batchIndex) = (lossSum + value, lossCount + 1, images + batch.Count, step + 1, batchIndex + 1);
                    logs.Step(step, value, lr);
                    options.Progress?.Invoke(new TrainProgress(epoch, config.Epochs, batchIndex, loader.BatchesPerEpoch, lossSum / lossCount,
                        images / Math.Max(1e-9, epochWatch.Elapsed.TotalSeconds), null, eta.Left(epoch, batchIndex), false));
                    if (ReachedMaxSteps() || (options.Cancel.IsCancellationRequested && batchIndex < loader.BatchesPerEpoch))
                    {
                        break;
                    }
                }
            }
            // The loader also stops early when cancelled while waiting for a batch (or before the first one): an
            // epoch cut short is never taken for a finished one.
            if (batchIndex < loader.BatchesPerEpoch && !ReachedMaxSteps())
            {
                CheckCutShortByCancel(options.Cancel, epoch, batchIndex, loader.BatchesPerEpoch);
                SaveCheckpoint(epoch, batchIndex, $"interrupted-e{epoch:D4}-b{batchIndex:D6}", best: false, lossSum, lossCount);
                throw new TrainingStoppedException(
                    $"interrupted at epoch {epoch}, step {batchIndex}; checkpoint written. Continue with: contrastive train --out {runDirectory} --resume", interrupted: true);
            }

            // ---- evaluate, record, checkpoint
            bool last = epoch == config.Epochs || ReachedMaxSteps();
            double meanLoss = lossCount > 0 ? lossSum / lossCount : double.NaN, epochRate = images / Math.Max(1e-9, epochWatch.Elapsed.TotalSeconds);
            var metrics = (epoch % config.EvalEvery == 0 || last
                ? Evaluate(epoch, meanLoss, lr, epochRate, monitor: true)
                : new MetricRow(epoch, step, lr, meanLoss, epochRate, double.NaN)) with { GflopsPerS = epochRate * flopsPerImage / 1e9 };
            logs.Record(metrics, eta.Left(epoch + 1, 0));
            double knn = metrics.KnnTop1; // NaN when this epoch was not evaluated
            bool best = knn > bestKnn;
            bestKnn = double.IsNaN(knn) ? bestKnn : Math.Max(bestKnn, knn);
            options.Progress?.Invoke(new TrainProgress(epoch, config.Epochs, loader.BatchesPerEpoch, loader.BatchesPerEpoch, meanLoss, epochRate,
                double.IsFinite(knn) ? knn : null, eta.Left(epoch + 1, 0), true));
            if (epoch % config.CheckpointEvery == 0 || last)
            {
                SaveCheckpoint(epoch + 1, 0, $"epoch-{epoch:D4}", best, 0, 0);
            }
            logs.Resident(epoch, step, ReleaseFreeMemory());
            if (options.Cancel.IsCancellationRequested && !last)
            {
                throw new TrainingStoppedException(
                    $"interrupted after epoch {epoch}; checkpoint written. Continue with: contrastive train --out {runDirectory} --resume", interrupted: true);
            }
        }

        // ---- finish: the final artefacts, then the summary, which marks the run finished (written last, atomically)
        using (NativePhase.Enter(runDirectory, "the final test embeddings and order statistics"))
        {
            SaveTestEmbeddings(config, runDirectory, model, negatives, train, test, testLabels, trainPipeline, evalPipeline, anchorRows, device, workers);
        }
        var summary = Summary(config, train, test, history, step, start.WallSeconds + wall.Elapsed.TotalSeconds, options, logs.ResidentAfterEpoch, flopsPerImage);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, RunFiles.Summary), summary.ToJson());
        RunFailure.Clear(runDirectory); // an earlier attempt's failure no longer applies
        log.WriteLine($"finished: kNN top-1 {history[^1].KnnTop1:P2} after {Count(config.Epochs, "epoch")} in {start.WallSeconds + wall.Elapsed.TotalSeconds:F0} s");
        return summary.ToJsonObject();

        bool ReachedMaxSteps() => config.MaxSteps is { } max && step >= max;

        MetricRow Evaluate(int epoch, double meanLoss, double lr, double rate, bool monitor, bool initialise = false)
        {
            using var phase = NativePhase.Enter(runDirectory, $"epoch {epoch} evaluation");
            return evaluation.Evaluate(epoch, step, meanLoss, lr, rate, monitor ? negatives.TrainingEmbeddings : null, initialise ? negatives.Initialise : null);
        }

        void SaveCheckpoint(int nextEpoch, int nextBatch, string name, bool best, double epochLossSum, int epochLossCount) =>
            TrainingCheckpoint.Save(store, name, best, setup, new CheckpointProgress(nextEpoch, nextBatch, step,
                start.WallSeconds + wall.Elapsed.TotalSeconds, bestKnn, epochLossSum, epochLossCount, history));
    }

    /// <summary>The training and evaluation augmentations of a config: its named preset, else the dataset's own.</summary>
    internal static (AugmentationPipeline Train, AugmentationPipeline Eval) Pipelines(TrainConfig config)
    {
        var (defaultTrain, eval) = AugmentationPresets.ForDataset(config.Dataset);
        return (new AugmentationPipeline(config.Augmentation is { } a ? AugmentationPresets.Get(a) : defaultTrain), new AugmentationPipeline(eval));
    }

    /// <summary>Where a resumed run continues: the newest valid checkpoint, restored into <paramref name="setup"/>, else the start.</summary>
    private static CheckpointProgress ResumePoint(CheckpointStore store, TrainingSetup setup, TextWriter log)
    {
        var rejected = new List<string>();
        var latest = store.LatestValid(rejected);
        foreach (var r in rejected)
        {
            log.WriteLine($"resume: skipping checkpoint {r}");
        }
        if (latest is null)
        {
            log.WriteLine("resume: no valid checkpoint, starting from the beginning");
            return CheckpointProgress.Start;
        }
        var restored = TrainingCheckpoint.Restore(latest.Path, setup);
        log.WriteLine($"resume: from checkpoint {latest.Name} (epoch {restored.NextEpoch}, batch {restored.NextBatch}, step {restored.Step})");
        return restored;
    }

    /// <summary>One optimisation step on a batch; returns the loss value.</summary>
    private static double Step(TrainingStep step, AugmentedBatch batch, Device device)
    {
        using var scope = NewDisposeScope();
        var indices = tensor(batch.Indices).to(device);
        var first = Evaluator.BatchTensor(batch, 0, device);
        var second = batch.Views.Length > 1 ? Evaluator.BatchTensor(batch, 1, device) : null;
        batch.Dispose();
        return step.Run(indices, first, second);
    }

    /// <summary>An epoch the loader ended early is an interruption only when cancellation was asked for.</summary>
    private static void CheckCutShortByCancel(CancellationToken cancel, int epoch, int batchIndex, int batchesPerEpoch)
    {
        if (!cancel.IsCancellationRequested)
        {
            throw new InvalidOperationException($"the loader ended epoch {epoch} after {batchIndex} of {batchesPerEpoch} batches without being cancelled");
        }
    }

    /// <summary>
    /// Between epochs nothing large is live: hands back what the allocators keep (glibc holds up to the trim threshold
    /// of freed heap, .NET its large-object heap), so resident memory follows what training retains. Returns the
    /// resident memory in MB after that.
    /// </summary>
    private static double ReleaseFreeMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        MallocTuning.ReleaseFreeMemory();
        return ProcessMemory.ResidentMb();
    }

    /// <summary>
    /// The images a run trains and evaluates on: the training split (its first <see cref="TrainConfig.TrainPerClass"/>
    /// images per class when set), the test split (else val, else train) and the number of classes. With
    /// <see cref="TrainConfig.SkipBadImages"/>, each image file left out is added to <paramref name="skipped"/> as
    /// "path: reason".
    /// </summary>
    public static (ImageSplitSource Train, ImageSplitSource Test, int Classes) Splits(TrainConfig config, Action<IReadOnlyList<DownloadItem>, string>? download = null,
        List<string>? skipped = null)
    {
        var folderOptions = config.SkipBadImages
            ? new FolderDatasetOptions(true, (file, why) => skipped?.Add($"{file}: {why}"))
            : FolderDatasetOptions.Strict;
        var dataset = DatasetCatalog.Load(config.Dataset, config.DataPath, config.DataDir, folderOptions, download);
        var trainSplit = dataset["train"];
        var testSplit = dataset.Splits.FirstOrDefault(s => s.Name == "test") ?? dataset.Splits.FirstOrDefault(s => s.Name == "val") ?? trainSplit;
        var train = config.TrainPerClass is { } perClass ? ImageSplitSource.FirstPerClass(trainSplit, perClass) : new ImageSplitSource(trainSplit);
        return (train, new ImageSplitSource(testSplit), trainSplit.ClassNames.Count);
    }

    /// <summary>The loss options of a config; K defaults to min(4095, negatives available).</summary>
    public static LossOptions LossOptionsFor(TrainConfig config, int trainImages)
    {
        bool hard = config.Loss is LossRegistry.Hard or LossRegistry.HardSimple;
        int available = NegativeSourceRegistry.Get(config.Negatives).AvailableNegatives(config, trainImages);
        int? k = hard && config.HardAlpha is null ? Math.Min(config.HardK ?? 4095, available) : null;
        bool authors = config.AuthorsVariant && config.Loss is LossRegistry.Simple or LossRegistry.HardSimple;
        // τ is ignored by the τ-free losses (simple, hard-simple, single).
        return new LossOptions(config.Loss, config.Tau, k, hard ? config.HardAlpha : null, authorsVariant: authors);
    }

    /// <summary>The learning rate at a step: the paper's step decay per epoch, or cosine per step.</summary>
    public static double LearningRate(TrainConfig config, int epoch, int batchIndex, int batchesPerEpoch) => config.Schedule == "step"
        ? LearningRateSchedule.StepDecay(config.Lr, epoch - 1, config.Epochs, LearningRateSchedule.PaperMilestones)
        : LearningRateSchedule.CosineWithWarmup(config.Lr, (long)(epoch - 1) * batchesPerEpoch + batchIndex,
            (long)config.Epochs * batchesPerEpoch, (long)config.WarmupEpochs * batchesPerEpoch);

    /// <summary>Fixed training anchors for the diagnostics: the first n of a seeded permutation.</summary>
    internal static int[] DiagnosticAnchors(int trainCount, int n, long seed)
    {
        var order = Enumerable.Range(0, trainCount).ToArray();
        var rng = AugmentRandom.ForView(seed, -7, -7, -7);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(0, i);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order[..Math.Min(n, trainCount)];
    }

    /// <summary>
    /// FLOPs of one training step per image (<see cref="ModelFlops"/>): one view's forward and backward, times
    /// the source's <see cref="NegativeSourceInfo.ForwardBackwardsPerImage"/> (1 for the memory bank, 2 in-batch, 4/3
    /// for the queue: one view plus the key encoder's forward of the other).
    /// </summary>
    internal static double TrainingFlopsPerImage(Models.ContrastiveEncoder model, long channels, long size, NegativeSourceInfo source) =>
        ModelFlops.TrainingPerImage(model, channels, size) * source.ForwardBackwardsPerImage;
}
