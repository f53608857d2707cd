using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Core.Losses;
using ContrastiveLab.Data;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.Models;
using ContrastiveLab.Runs;
using ContrastiveLab.Runtime;
using TorchSharp;
using static TorchSharp.torch;

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
public static class Trainer
{
    public const string ConfigFile = "config.json";
    public const string SummaryFile = "summary.json";
    public const string MetricsFile = "metrics.csv";
    public const string EnvironmentFile = "environment.json";
    public const string TestEmbeddingsFile = "test_embeddings.npy";
    public const string TestLabelsFile = "test_labels.npy";
    public const string OrderStatisticsFile = "order_statistics.csv";

    /// <summary>
    /// Fault injection for tests: called before every optimisation step with the global step number (from 1) and the
    /// model, so a test can damage the weights the way a diverging run does and check what the trainer then reports.
    /// Null outside tests.
    /// </summary>
    internal static Action<long, ContrastiveEncoder>? FaultBeforeStep { get; set; }

    /// <summary>True when <paramref name="runDirectory"/> holds a finished run.</summary>
    public static bool IsFinished(string runDirectory) => File.Exists(Path.Combine(runDirectory, SummaryFile));

    /// <summary>
    /// True when two configs describe the same run: every key but <see cref="TrainConfig.Workers"/> (how fast
    /// augmentation runs, never what it produces) and <see cref="TrainConfig.TensorboardEvery"/> (what is logged), so a
    /// run resumes with any worker count or logging interval.
    /// </summary>
    public static bool SameRun(TrainConfig a, TrainConfig b) => a with { Workers = b.Workers, TensorboardEvery = b.TensorboardEvery } == b;

    /// <summary>The names a run folder of ours holds before its config.json is written (a start killed early).</summary>
    private static readonly string[] EarlyRunEntries = [RunLock.FileName, RunFailure.FileName, NativePhase.FileName, EnvironmentFile, CheckpointStore.DirectoryName, "tensorboard"];

    /// <summary>
    /// Refuses a folder a run must not go into: with <paramref name="resume"/>, one that holds no run (a mistyped
    /// --out would otherwise start a new run silently); a non-empty folder that is not a run folder of ours (nothing of
    /// the user's is ever mixed with a run's files).
    /// </summary>
    /// <exception cref="ArgumentException">The folder is not one this run may use; the message names it.</exception>
    internal static void CheckFolder(string runDirectory, bool resume)
    {
        if (File.Exists(runDirectory))
        {
            throw new ArgumentException($"--out {runDirectory} is a file, not a folder");
        }
        if (File.Exists(Path.Combine(runDirectory, ConfigFile)))
        {
            return;
        }
        if (resume && !EarlyRunEntries.Any(n => Path.Exists(Path.Combine(runDirectory, n))))
        {
            // A start that died before writing its config (killed, or failed with failure.json) left its lock or
            // environment behind: resuming it starts the run afresh. A folder with none of those holds no run.
            throw new ArgumentException($"--resume: {runDirectory} holds no run (no {ConfigFile}); check --out, or drop --resume to start a run there");
        }
        if (Directory.Exists(runDirectory))
        {
            var foreign = Directory.EnumerateFileSystemEntries(runDirectory)
                .Select(Path.GetFileName)
                .Where(n => n is not null && !EarlyRunEntries.Contains(n) && !(n.StartsWith('.') && n.EndsWith(".tmp", StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (foreign.Count > 0)
            {
                throw new ArgumentException($"--out {runDirectory} is not empty and holds no run ({string.Join(", ", foreign.Take(3))}{(foreign.Count > 3 ? ", …" : "")}); use a new or empty folder");
            }
        }
    }

    /// <summary>Trains <paramref name="config"/> into <paramref name="runDirectory"/> and returns the summary it wrote.</summary>
    /// <exception cref="ArgumentException">The config is invalid, or the folder holds another run.</exception>
    /// <exception cref="TrainingStoppedException">The loss diverged, or the run was interrupted (a checkpoint was written).</exception>
    public static JsonObject Run(TrainConfig config, string runDirectory, TrainRunOptions options)
    {
        config.Validate();
        var wall = Stopwatch.StartNew();
        // Every check that can refuse the run comes before anything is written: a refused command leaves no folder
        // behind that the corrected one would then be refused by.
        CheckFolder(runDirectory, options.Resume);
        var (train, test, classes) = Splits(config, options.Download);
        var (defaultTrainAug, evalAug) = AugmentationPresets.ForDataset(config.Dataset);
        var trainPipeline = new AugmentationPipeline(config.Augmentation is { } a ? AugmentationPresets.Get(a) : defaultTrainAug);
        var evalPipeline = new AugmentationPipeline(evalAug);
        int workers = config.Workers > 0 ? config.Workers : Environment.ProcessorCount;
        int views = TrainingStep.ViewsFor(config.Negatives);
        var loader = new AugmentedLoader(train, trainPipeline, config.BatchSize, views, config.Seed, shuffle: true, dropLast: true, workers: workers);
        if (loader.BatchesPerEpoch == 0 && config.Epochs > 0)
        {
            throw new ArgumentException($"batch-size = {config.BatchSize} exceeds the {train.Count} training images");
        }

        using var runLock = RunLock.Acquire(runDirectory, options.LockWait);
        var store = new CheckpointStore(runDirectory);
        store.CleanTemporaries();
        AtomicFile.DeleteStaleTemporaries(runDirectory, TimeSpan.Zero); // we hold the lock: any temporary here is a killed writer's
        string configPath = Path.Combine(runDirectory, ConfigFile);
        if (File.Exists(configPath))
        {
            var saved = TrainConfig.FromJson(File.ReadAllText(configPath));
            if (!SameRun(saved, config))
            {
                throw new ArgumentException($"{runDirectory} holds a run with a different config ({configPath}: {ConfigDifferences(saved, config)}); use another --out, or the same settings to resume");
            }
            if (!options.Resume && (store.ListValid().Count > 0 || IsFinished(runDirectory)))
            {
                throw new ArgumentException($"{runDirectory} already holds this run; add --resume to continue it, or use another --out");
            }
            if (IsFinished(runDirectory) && JsonNode.Parse(File.ReadAllText(Path.Combine(runDirectory, SummaryFile))) is JsonObject finished)
            {
                // Resuming a finished run changes nothing: its summary (wall time, memory per epoch) stays as it was.
                options.Log.WriteLine($"{runDirectory} has finished already (summary.json); nothing to resume");
                return finished;
            }
        }
        AtomicFile.WriteAllText(configPath, TrainConfig.ToJson(config));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, EnvironmentFile), EnvironmentJson(config, options).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var log = options.Log;
        ReportPreviousAttempt(runDirectory, log);

        var device = options.Device;
        using var trainLabels = tensor(train.Labels()).to(device);
        using var testLabels = tensor(test.Labels()).to(device);
        log.WriteLine($"run: {config.Describe}; {train.Count} train / {test.Count} test images, augmentation {trainPipeline.Options.Name}");

        // ---- model, optimiser, negative source, loss
        using var setup = TrainingSetup.Create(config, train.Count, train.Channels, device);
        var (model, optimizer, bank, queue, keyModel, trainingStep) = (setup.Model, setup.Optimizer, setup.Bank, setup.Queue, setup.KeyModel, setup.Step);
        // A forward pass of zeros in eval mode, which changes no state and draws no random numbers.
        double flopsPerImage = TrainingFlopsPerImage(model, train.Channels, trainPipeline.Options.OutputSize, config.Negatives);

        // ---- state, possibly restored
        var history = new List<Dictionary<string, double>>();
        int startEpoch = 1, startBatch = 0;
        long step = 0;
        double priorSeconds = 0;
        double bestKnn = -1;
        double resumedLossSum = 0;
        int resumedLossCount = 0;
        if (options.Resume)
        {
            var rejected = new List<string>();
            var latest = store.LatestValid(rejected);
            foreach (var r in rejected)
            {
                log.WriteLine($"resume: skipping checkpoint {r}");
            }
            if (latest is not null)
            {
                var restored = TrainingCheckpoint.Restore(latest.Path, setup);
                (startEpoch, startBatch, step, priorSeconds, bestKnn) = (restored.NextEpoch, restored.NextBatch, restored.Step, restored.WallSeconds, restored.BestKnn);
                (resumedLossSum, resumedLossCount, history) = (restored.EpochLossSum, restored.EpochLossCount, restored.History);
                log.WriteLine($"resume: from checkpoint {latest.Name} (epoch {startEpoch}, batch {startBatch}, step {step})");
            }
            else
            {
                log.WriteLine("resume: no valid checkpoint, starting from the beginning");
            }
        }
        using var tensorboard = new TensorBoardWriter(Path.Combine(runDirectory, "tensorboard"));
        // Steps after the checkpoint that an earlier process logged before it died are logged again from here: TensorBoard
        // drops its copies of them (a fresh start drops everything an earlier attempt logged).
        tensorboard.SessionStart(history.Count == 0 ? 0 : step + 1);
        var anchorRows = DiagnosticAnchors(train.Count, config.DiagnosticAnchors, config.Seed);
        var evaluation = new EpochEvaluation(config, model, train, test, classes, trainLabels, testLabels, trainPipeline, evalPipeline, anchorRows, device, workers);

        var residentAfterEpoch = new JsonObject(); // this process's epochs only: a resumed run starts afresh

        // ---- the untrained encoder is epoch 0: the baseline every report shows
        if (history.Count == 0)
        {
            // bank_init = encoder: the bank starts from the clean training embeddings this evaluation computes anyway.
            bool initialiseBank = bank is not null && config.BankInit == "encoder" && config.Epochs > 0;
            var row = Evaluate(0, step, double.NaN, double.NaN, double.NaN, useBank: false, initialiseBank);
            Record(row);
            if (config.Epochs == 0)
            {
                // The untrained encoder is a run of its own: `eval`, `export` and `analyze` need its weights too.
                SaveCheckpoint(1, 0, "epoch-0000", best: true, 0, 0);
            }
        }

        // A run resumed from its final checkpoint (killed before the summary was written) trains no further.
        for (int epoch = startEpoch; epoch <= config.Epochs && !ReachedMaxSteps(); epoch++)
        {
            model.train();
            var epochWatch = Stopwatch.StartNew();
            bool midEpoch = epoch == startEpoch && startBatch > 0;
            double lossSum = midEpoch ? resumedLossSum : 0;
            int lossCount = midEpoch ? resumedLossCount : 0, images = 0;
            int batchIndex = epoch == startEpoch ? startBatch : 0;
            double lr = config.Lr;
            // Training runs in libtorch: a process that dies here by a signal leaves the phase marker behind.
            using (NativePhase.Enter(runDirectory, $"epoch {epoch} training (from global step {step + 1})"))
            {
                foreach (var batch in loader.Epoch(epoch, batchIndex, options.Cancel))
                {
                    lr = LearningRate(config, epoch, batchIndex, loader.BatchesPerEpoch);
                    foreach (var group in optimizer.ParamGroups)
                    {
                        group.LearningRate = lr;
                    }
                    FaultBeforeStep?.Invoke(step + 1, model);
                    double value = Step(batch);
                    if (!double.IsFinite(value))
                    {
                        throw new TrainingStoppedException(
                            $"loss became {value} at epoch {epoch}, step {batchIndex + 1} (global step {step + 1}); the last good checkpoint is kept in {store.Directory}. Try a larger tau or a smaller lr.", interrupted: false);
                    }
                    lossSum += value;
                    lossCount++;
                    images += batch.Count;
                    step++;
                    if (config.TensorboardEvery > 0 && step % config.TensorboardEvery == 0)
                    {
                        tensorboard.Scalars(step, [KeyValuePair.Create("train/step_loss", value), KeyValuePair.Create("train/step_lr", lr)]);
                    }
                    batchIndex++;
                    double rate = images / Math.Max(1e-9, epochWatch.Elapsed.TotalSeconds);
                    options.Progress?.Invoke(new TrainProgress(epoch, config.Epochs, batchIndex, loader.BatchesPerEpoch, lossSum / lossCount, rate,
                        null, Eta(epoch, batchIndex), false));
                    if (ReachedMaxSteps())
                    {
                        break;
                    }
                    if (options.Cancel.IsCancellationRequested && batchIndex < loader.BatchesPerEpoch)
                    {
                        break;
                    }
                }
            }
            // The loader also stops early when cancelled while waiting for a batch (or before the first one): an
            // epoch cut short is never taken for a finished one.
            if (batchIndex < loader.BatchesPerEpoch && !ReachedMaxSteps())
            {
                if (!options.Cancel.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"the loader ended epoch {epoch} after {batchIndex} of {loader.BatchesPerEpoch} batches without being cancelled");
                }
                SaveCheckpoint(epoch, batchIndex, $"interrupted-e{epoch:D4}-b{batchIndex:D6}", best: false, lossSum, lossCount);
                throw new TrainingStoppedException(
                    $"interrupted at epoch {epoch}, step {batchIndex}; checkpoint written. Continue with: contrastive train --out {runDirectory} --resume", interrupted: true);
            }
            double seconds = epochWatch.Elapsed.TotalSeconds;
            bool last = epoch == config.Epochs || ReachedMaxSteps();
            double meanLoss = lossCount > 0 ? lossSum / lossCount : double.NaN, epochRate = images / Math.Max(1e-9, seconds);
            var metrics = epoch % config.EvalEvery == 0 || last
                ? Evaluate(epoch, step, meanLoss, lr, epochRate, useBank: bank is not null)
                : new Dictionary<string, double> { ["epoch"] = epoch, ["step"] = step, ["lr"] = lr, ["loss"] = meanLoss, ["images_per_s"] = epochRate, ["knn_top1"] = double.NaN };
            metrics["gflops_per_s"] = epochRate * flopsPerImage / 1e9;
            Record(metrics);
            bool best = metrics["knn_top1"] > bestKnn;
            bestKnn = Math.Max(bestKnn, double.IsNaN(metrics["knn_top1"]) ? bestKnn : metrics["knn_top1"]);
            double? epochKnn = double.IsFinite(metrics["knn_top1"]) ? metrics["knn_top1"] : null; // null when this epoch was not evaluated
            options.Progress?.Invoke(new TrainProgress(epoch, config.Epochs, loader.BatchesPerEpoch, loader.BatchesPerEpoch, meanLoss, epochRate, epochKnn, Eta(epoch + 1, 0), true));
            if (epoch % config.CheckpointEvery == 0 || last)
            {
                SaveCheckpoint(epoch + 1, 0, $"epoch-{epoch:D4}", best, 0, 0);
            }
            // Between epochs nothing large is live: hand back what the allocators keep (glibc holds up to the trim
            // threshold of freed heap, .NET its large-object heap), so resident memory follows what training retains.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            MallocTuning.ReleaseFreeMemory();
            double resident = ProcessMemory.ResidentMb();
            residentAfterEpoch[epoch.ToString(CultureInfo.InvariantCulture)] = resident;
            tensorboard.Scalars(step, [KeyValuePair.Create("system/resident_mb", resident)]);
            if (options.Cancel.IsCancellationRequested && !last)
            {
                throw new TrainingStoppedException(
                    $"interrupted after epoch {epoch}; checkpoint written. Continue with: contrastive train --out {runDirectory} --resume", interrupted: true);
            }
            if (last)
            {
                break;
            }
        }

        // ---- the summary marks the run finished; written last, atomically
        SaveTestEmbeddings();
        var final = history[^1];
        var summary = new JsonObject
        {
            ["status"] = "finished",
            ["dataset"] = config.Dataset,
            ["model"] = config.Model,
            ["negatives"] = config.Negatives,
            ["loss"] = config.Loss,
            ["tau"] = config.Tau,
            ["hard_k"] = config.HardK,
            ["epochs"] = config.Epochs,
            ["steps"] = step,
            ["seed"] = config.Seed,
            ["train_images"] = train.Count,
            ["test_images"] = test.Count,
            ["class_names"] = new JsonArray([.. train.ClassNames.Select(n => (JsonNode?)n)]),
            ["knn_top1"] = final["knn_top1"],
            ["best_knn_top1"] = history.Select(r => r["knn_top1"]).Where(double.IsFinite).Max(),
            ["final"] = new JsonObject(final.Select(p => KeyValuePair.Create(p.Key, double.IsFinite(p.Value) ? (JsonNode?)p.Value : null))),
            ["wall_seconds"] = priorSeconds + wall.Elapsed.TotalSeconds,
            ["threads"] = options.Threads,
            ["device"] = options.Device.type.ToString().ToLowerInvariant(),
            ["resident_mb_after_epoch"] = residentAfterEpoch,
            ["training_gflop_per_image"] = flopsPerImage / 1e9,
            ["mean_images_per_s"] = MeanOf(history, "images_per_s"),
            ["mean_gflops_per_s"] = MeanOf(history, "gflops_per_s"),
        };
        AtomicFile.WriteAllText(Path.Combine(runDirectory, SummaryFile), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        RunFailure.Clear(runDirectory); // an earlier attempt's failure no longer applies
        log.WriteLine($"finished: kNN top-1 {final["knn_top1"]:P2} after {Count(config.Epochs, "epoch")} in {priorSeconds + wall.Elapsed.TotalSeconds:F0} s");
        return summary;

        bool ReachedMaxSteps() => config.MaxSteps is { } max && step >= max;

        // One optimisation step; returns the loss value.
        double Step(AugmentedBatch batch)
        {
            using var scope = NewDisposeScope();
            var indices = tensor(batch.Indices).to(device);
            return trainingStep.Run(indices, Evaluator.BatchTensor(batch, 0, device), views > 1 ? Evaluator.BatchTensor(batch, 1, device) : null);
        }

        Dictionary<string, double> Evaluate(int epoch, long atStep, double meanLoss, double lr, double rate, bool useBank, bool initialiseBank = false)
        {
            using var phase = NativePhase.Enter(runDirectory, $"epoch {epoch} evaluation");
            return evaluation.Evaluate(epoch, atStep, meanLoss, lr, rate, useBank ? bank : null, initialiseBank ? bank : null);
        }

        void Record(Dictionary<string, double> row)
        {
            history.Add(row);
            WriteMetricsCsv(Path.Combine(runDirectory, MetricsFile), history);
            tensorboard.Scalars((long)row["step"], row.Where(p => p.Key is not ("epoch" or "step")).Select(p => KeyValuePair.Create(TensorBoardTag(p.Key), p.Value)));
            int epoch = (int)row["epoch"];
            log.WriteLine(EpochLine(row, config.Epochs, epoch == 0 ? null : Eta(epoch + 1, 0)));
        }

        void SaveCheckpoint(int nextEpoch, int nextBatch, string name, bool best, double epochLossSum, int epochLossCount) =>
            TrainingCheckpoint.Save(store, name, best, setup, new CheckpointProgress(nextEpoch, nextBatch, step,
                priorSeconds + wall.Elapsed.TotalSeconds, bestKnn, queue?.Pointer ?? 0, epochLossSum, epochLossCount, history));

        // Final artefacts for reports: test embeddings and labels (.npy, for 2-D maps) and the per-anchor
        // positive and nearest-negative similarities (Fig. 8 box plots).
        void SaveTestEmbeddings()
        {
            using var phase = NativePhase.Enter(runDirectory, "the final test embeddings and order statistics");
            using var scope = NewDisposeScope();
            var emb = Evaluator.Embed(model, test, evalPipeline, Evaluator.BatchSize, device, workers).cpu();
            NpyWriter.Write(Path.Combine(runDirectory, TestEmbeddingsFile), emb);
            NpyWriter.Write(Path.Combine(runDirectory, TestLabelsFile), testLabels.cpu());
            var reference = bank is not null && config.Epochs > 0 ? bank.Entries : Evaluator.Embed(model, train, evalPipeline, Evaluator.BatchSize, device, workers);
            var anchors = Evaluator.Embed(model, new RowsSource(train, anchorRows), trainPipeline, Evaluator.BatchSize, device, workers, seed: Evaluator.DiagnosticSeed(config.Seed), epoch: config.Epochs);
            using var rows = tensor(anchorRows.Select(r => (long)r).ToArray()).to(device);
            var table = Core.Metrics.SimilarityOrderStatistics.AgainstBank(anchors, reference.index_select(0, rows), reference, rows, ranks: Evaluator.Ranks(reference)).Values;
            var sb = new StringBuilder("pos," + string.Join(',', Enumerable.Range(1, table.GetLength(1) - 1).Select(k => $"neg{k}")) + "\n");
            for (int i = 0; i < table.GetLength(0); i++)
            {
                sb.AppendLine(string.Join(',', Enumerable.Range(0, table.GetLength(1)).Select(j => table[i, j].ToString("R", CultureInfo.InvariantCulture))));
            }
            AtomicFile.WriteAllText(Path.Combine(runDirectory, OrderStatisticsFile), sb.ToString());
        }

        TimeSpan Eta(int epoch, int batchIndex)
        {
            long total = (long)config.Epochs * loader.BatchesPerEpoch;
            long done = (long)(epoch - 1) * loader.BatchesPerEpoch + batchIndex;
            long doneHere = done - ((long)(startEpoch - 1) * loader.BatchesPerEpoch + startBatch);
            if (doneHere <= 0 || total <= done)
            {
                return TimeSpan.Zero;
            }
            return TimeSpan.FromSeconds(wall.Elapsed.TotalSeconds / doneHere * (total - done));
        }
    }

    /// <summary>
    /// The log line of one epoch's row: what was measured, nothing for what was not (epoch 0, the untrained encoder,
    /// has no loss and no training rate; an epoch without evaluation has no kNN).
    /// </summary>
    internal static string EpochLine(IReadOnlyDictionary<string, double> row, int epochs, TimeSpan? eta = null)
    {
        var parts = new List<string>();
        void Add(string key, Func<double, string> format)
        {
            if (row.TryGetValue(key, out double v) && double.IsFinite(v))
            {
                parts.Add(format(v));
            }
        }
        Add("loss", v => $"loss {v:F4}");
        Add("knn_top1", v => $"kNN {v:P2}" + (row.TryGetValue("knn_backbone_top1", out double b) && double.IsFinite(b) ? $" (backbone {b:P2})" : ""));
        Add("neg_uniformity", v => $"-uniformity {v:F3}");
        Add("tolerance", v => $"tolerance {v:F3}");
        Add("images_per_s", v => $"{v:F0} img/s");
        if (eta is { } left && left > TimeSpan.Zero)
        {
            parts.Add($"ETA {left:hh\\:mm\\:ss}");
        }
        string epoch = row["epoch"] == 0 ? "epoch 0 (untrained)" : $"epoch {row["epoch"]:F0}/{epochs}";
        return string.Create(CultureInfo.InvariantCulture, $"{epoch}: {string.Join(", ", parts)}");
    }

    /// <summary>"1 epoch", "3 epochs".</summary>
    internal static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>Each key whose value differs, as "key: FOLDER in the folder, HERE here", in config order.</summary>
    internal static string ConfigDifferences(TrainConfig inFolder, TrainConfig here)
    {
        var a = JsonNode.Parse(TrainConfig.ToJson(inFolder))!.AsObject();
        var b = JsonNode.Parse(TrainConfig.ToJson(here))!.AsObject();
        var keys = a.Select(p => p.Key).Concat(b.Select(p => p.Key)).Distinct();
        var differences = keys
            .Where(k => !JsonNode.DeepEquals(a[k], b[k]))
            .Select(k => $"{k}: {a[k]?.ToJsonString() ?? "null"} in the folder, {b[k]?.ToJsonString() ?? "null"} here")
            .ToList();
        return differences.Count == 0 ? "no key differs in config.json, but the configs are not equal" : string.Join("; ", differences);
    }

    /// <summary>
    /// Says how the run folder's last attempt ended when it did not end cleanly: the failure on record or, when a
    /// process died inside a native phase with no one to record the signal, the phase marker it left (newer than any
    /// failure record: recording a death removes the marker). Clears the
    /// marker (the caller holds the run folder's lock, so its writer is gone).
    /// </summary>
    private static void ReportPreviousAttempt(string runDirectory, TextWriter log)
    {
        if (PreviousAttempt(runDirectory) is { } previous)
        {
            log.WriteLine(previous);
        }
        NativePhase.Clear(runDirectory);
    }

    /// <summary>One line on how the run folder's last attempt ended when it did not end cleanly, or null.</summary>
    public static string? PreviousAttempt(string runDirectory)
    {
        // A marker is always the newest word: a recorded death removes it, and a clean phase end too.
        if (NativePhase.Read(runDirectory) is { } marker)
        {
            return $"the last attempt died during {marker.Phase} (process {marker.Pid} on {marker.Host}, phase started {marker.Started}); no signal was recorded";
        }
        return RunFailure.Read(runDirectory) is { } failure ? $"the last attempt failed: {failure.Error}" : null;
    }

    /// <summary>
    /// The images a run trains and evaluates on: the training split (its first <see cref="TrainConfig.TrainPerClass"/>
    /// images per class when set), the test split (else val, else train) and the number of classes.
    /// </summary>
    public static (ImageSplitSource Train, ImageSplitSource Test, int Classes) Splits(TrainConfig config, Action<IReadOnlyList<DownloadItem>, string>? download = null)
    {
        var dataset = DatasetCatalog.Load(config.Dataset, config.DataPath, config.DataDir, download: download);
        var trainSplit = dataset["train"];
        var testSplit = dataset.Splits.FirstOrDefault(s => s.Name == "test") ?? dataset.Splits.FirstOrDefault(s => s.Name == "val") ?? trainSplit;
        var train = config.TrainPerClass is { } perClass ? ImageSplitSource.FirstPerClass(trainSplit, perClass) : new ImageSplitSource(trainSplit);
        return (train, new ImageSplitSource(testSplit), trainSplit.ClassNames.Count);
    }

    /// <summary>The loss options of a config; K defaults to min(4095, negatives available).</summary>
    public static LossOptions LossOptionsFor(TrainConfig config, int trainImages)
    {
        bool hard = config.Loss is LossRegistry.Hard or LossRegistry.HardSimple;
        int available = config.Negatives switch
        {
            "memory-bank" => trainImages - 1,
            "in-batch" => config.BatchSize - 1,
            _ => config.QueueSize,
        };
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
    /// FLOPs of one training step per image (<see cref="Bench.ModelFlops"/>): a forward and backward of one view
    /// for the memory bank, of two views in-batch, and for the queue one view plus the key encoder's forward of the other.
    /// </summary>
    internal static double TrainingFlopsPerImage(Models.ContrastiveEncoder model, long channels, long size, string negatives)
    {
        double training = Bench.ModelFlops.TrainingPerImage(model, channels, size);
        return negatives switch
        {
            "memory-bank" => training,
            "in-batch" => 2 * training,
            _ => training * 4 / 3,
        };
    }

    /// <summary>The mean of a column over the rows where it is finite; null when there is none.</summary>
    private static double? MeanOf(IEnumerable<Dictionary<string, double>> rows, string key)
    {
        var values = rows.Select(r => r.GetValueOrDefault(key, double.NaN)).Where(double.IsFinite).ToArray();
        return values.Length == 0 ? null : values.Average();
    }

    private static string TensorBoardTag(string key) => key switch
    {
        "loss" or "lr" or "images_per_s" or "gflops_per_s" => "train/" + key,
        "knn_top1" or "knn_bank_top1" or "knn_backbone_top1" => "eval/" + key,
        _ => "diagnostics/" + key,
    };

    /// <summary>Rewrites metrics.csv from the whole history (so a resumed run never holds duplicate rows).</summary>
    internal static void WriteMetricsCsv(string path, IReadOnlyList<Dictionary<string, double>> history)
    {
        var columns = history.SelectMany(r => r.Keys).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', columns));
        foreach (var row in history)
        {
            sb.AppendLine(string.Join(',', columns.Select(c => row.TryGetValue(c, out var v) && !double.IsNaN(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")));
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>The libtorch version this build references (Directory.Packages.props), as recorded in environment.json.</summary>
    public static string LibTorchVersion { get; } = typeof(Trainer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "unknown";

    private static JsonObject EnvironmentJson(TrainConfig config, TrainRunOptions options) => new()
    {
        ["contrastivelab"] = typeof(Trainer).Assembly.GetName().Version?.ToString(),
        ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
        ["libtorch"] = LibTorchVersion,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["machine"] = Environment.MachineName,
        ["cores"] = Environment.ProcessorCount,
        ["threads"] = options.Threads,
        ["device"] = options.Device.type.ToString().ToLowerInvariant(),
        ["seed"] = config.Seed,
        ["started_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };
}
