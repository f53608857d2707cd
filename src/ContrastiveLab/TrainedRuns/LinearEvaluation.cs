using ContrastiveLab.Augmentation;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;

namespace ContrastiveLab.TrainedRuns;

/// <summary>
/// The paper's linear evaluation (docs/paper.md §2): the backbone is frozen, one linear layer from its pooled features
/// to the classes is trained with SGD and cross-entropy, and test top-1 on clean images is measured after every
/// epoch; the best and the last epoch are reported.
/// </summary>
public static class LinearEvaluation
{
    /// <summary>Milestones as fractions of the epochs: 40, 60 and 80 of 100.</summary>
    public static IReadOnlyList<double> Milestones { get; } = [0.4, 0.6, 0.8];

    /// <summary>Factor at each milestone.</summary>
    public const double Decay = 0.2;

    /// <summary>Learning rate of 1-based <paramref name="epoch"/>: ×0.2 after each milestone passed (epochs 41–60 of 100 use lr·0.2).</summary>
    public static double LearningRate(double baseLr, int epoch, int epochs) =>
        LearningRateSchedule.StepDecay(baseLr, epoch - 1, epochs, Milestones, Decay);

    /// <summary>Runs the protocol on <paramref name="run"/>'s encoder and writes <see cref="RunFiles.Linear"/> into its folder.</summary>
    /// <param name="run">The opened run (its encoder is only read).</param>
    /// <param name="options">Protocol settings.</param>
    /// <param name="log">Progress lines (one per 10 epochs), or null.</param>
    public static LinearEvalResult Run(TrainedRun run, LinearEvalOptions options, TextWriter? log = null)
    {
        options.Validate();
        log ??= TextWriter.Null;
        long seed = options.Seed ?? run.Config.Seed;
        int workers = options.Workers > 0 ? options.Workers : Environment.ProcessorCount;
        var (trainAug, testAug) = AugmentationPresets.LinearForDataset(run.Config.Dataset);
        var device = run.Device;
        string mode = options.Fast ? "fast" : "augmented";
        log.WriteLine(options.Fast
            ? $"linear evaluation, fast mode: features of clean training images extracted once, {options.Epochs} epochs on them"
            : $"linear evaluation, augmented mode (the paper's protocol): {trainAug.Name} views through the frozen backbone each epoch, {options.Epochs} epochs");

        using var scope = NewDisposeScope();
        Tensor trainX, trainY, testX, testY;
        if (options.Fast)
        {
            (trainX, trainY, testX, testY) = CachedFeatures(run, testAug, workers, log);
        }
        else
        {
            (trainX, trainY) = (empty(0), tensor(run.TrainImages.Labels()).to(device));
            var testPipeline = new AugmentationPipeline(testAug);
            testX = Evaluator.Embed(run.Model, run.TestImages, testPipeline, device, workers, features: true);
            testY = tensor(run.TestImages.Labels()).to(device);
        }
        int classes = run.Classes;
        using var generator = new Generator((ulong)seed, device);
        var augmented = options.Fast ? null : new AugmentedLoader(run.TrainImages, new AugmentationPipeline(trainAug), options.BatchSize, 1, seed, shuffle: true, workers: workers);

        IEnumerable<Func<(Tensor X, Tensor Y)>> Batches(int epoch)
        {
            if (augmented is null)
            {
                long n = trainX.shape[0];
                using var order = randperm(n, generator: generator, device: device);
                for (long start = 0; start < n; start += options.BatchSize)
                {
                    long s = start;
                    yield return () =>
                    {
                        var rows = order.narrow(0, s, Math.Min(options.BatchSize, n - s));
                        return (trainX.index_select(0, rows), trainY.index_select(0, rows));
                    };
                }
                yield break;
            }
            foreach (var batch in augmented.Epoch(epoch))
            {
                yield return () =>
                {
                    using var noGrad = no_grad();
                    var x = Evaluator.BatchTensor(batch, 0, device);
                    batch.Dispose();
                    return (run.Model.Features(x), tensor(batch.Labels).to(device));
                };
            }
        }

        manual_seed(seed);
        var top1 = TrainClassifier(Batches, testX, testY, run.Model.FeatureDim, classes, options, device, log);
        int best = 0;
        for (int e = 1; e < top1.Count; e++)
        {
            best = top1[e] > top1[best] ? e : best;
        }
        var result = new LinearEvalResult(mode, options.Epochs, top1[best], best + 1, top1[^1], run.Checkpoint.Name, top1);
        var file = new LinearResultFile(result.Mode, result.Epochs, result.BestTop1, result.BestEpoch, result.LastTop1, result.Checkpoint);
        AtomicFile.WriteAllText(Path.Combine(run.Directory, RunFiles.Linear), file.ToJson());
        return result;
    }

    /// <summary>
    /// Trains one linear layer (initialised from the global torch seed) with SGD and cross-entropy on the batches each
    /// epoch yields and returns the test top-1 after every epoch.
    /// </summary>
    /// <param name="epochBatches">For a 1-based epoch, the batches in order; each is made on demand inside the step's
    /// dispose scope: ((B, F) float32 features, (B,) int64 labels in [0, classes)).</param>
    /// <param name="testFeatures">(T, F) float32 features of the clean test images.</param>
    /// <param name="testLabels">(T,) int64 labels.</param>
    /// <param name="featureDim">F.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="options">Epochs, learning rate, momentum, weight decay.</param>
    /// <param name="device">Where the classifier lives.</param>
    /// <param name="log">Receives a line every 10 epochs and after the last.</param>
    public static IReadOnlyList<double> TrainClassifier(Func<int, IEnumerable<Func<(Tensor X, Tensor Y)>>> epochBatches, Tensor testFeatures, Tensor testLabels,
        long featureDim, int classes, LinearEvalOptions options, Device device, TextWriter log)
    {
        using var classifier = nn.Linear(featureDim, classes);
        classifier.to(device);
        using var optimizer = optim.SGD(classifier.parameters(), options.Lr, options.Momentum, weight_decay: options.WeightDecay);
        var top1 = new List<double>(options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            double lr = LearningRate(options.Lr, epoch, options.Epochs);
            LearningRateSchedule.Apply(optimizer, lr);
            classifier.train();
            double lossSum = 0;
            int steps = 0;
            foreach (var make in epochBatches(epoch))
            {
                using var scope = NewDisposeScope();
                var (x, y) = make();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(classifier.forward(x), y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                steps++;
            }
            top1.Add(Accuracy(classifier, testFeatures, testLabels));
            if (epoch % 10 == 0 || epoch == options.Epochs)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}/{options.Epochs}: lr {lr:G4}, loss {lossSum / Math.Max(1, steps):F4}, test top-1 {top1[^1]:P2} (best {top1.Max():P2})"));
            }
        }
        return top1;
    }

    private static double Accuracy(nn.Module<Tensor, Tensor> classifier, Tensor features, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        classifier.eval();
        long n = features.shape[0];
        return n == 0 ? 0 : (double)classifier.forward(features).argmax(1).eq(labels).sum().item<long>() / n;
    }

    /// <summary>
    /// Pooled features of the clean training and test images, from <c>features_cache/&lt;checkpoint&gt;/</c> when it was
    /// made from the same model.bin (by its checksum), else extracted now and cached. Tensors belong to the caller's scope.
    /// </summary>
    private static (Tensor TrainX, Tensor TrainY, Tensor TestX, Tensor TestY) CachedFeatures(TrainedRun run, AugmentationOptions clean, int workers, TextWriter log)
    {
        string dir = Path.Combine(run.Directory, RunFiles.FeaturesCacheDirectory, run.Checkpoint.Name);
        string sourceFile = Path.Combine(dir, RunFiles.FeaturesCacheSource);
        string hash = CheckpointStore.RecordedHash(run.Checkpoint, RunFiles.CheckpointModel) ?? "";
        IReadOnlyList<string> names = RunFiles.FeaturesCacheArrays;
        if (File.Exists(sourceFile) && File.ReadAllText(sourceFile).Trim() == hash && names.All(n => File.Exists(Path.Combine(dir, n + ".npy"))))
        {
            log.WriteLine($"features: from the cache {dir}");
            var t = names.Select(n => NpyReader.ReadTensor(Path.Combine(dir, n + ".npy"), run.Device)).ToArray();
            return (t[0], t[1], t[2], t[3]);
        }
        log.WriteLine($"features: extracting (cached in {dir})");
        var pipeline = new AugmentationPipeline(clean);
        var trainX = Evaluator.Embed(run.Model, run.TrainImages, pipeline, run.Device, workers, features: true);
        var testX = Evaluator.Embed(run.Model, run.TestImages, pipeline, run.Device, workers, features: true);
        var trainY = tensor(run.TrainImages.Labels()).to(run.Device);
        var testY = tensor(run.TestImages.Labels()).to(run.Device);
        Directory.CreateDirectory(dir);
        File.Delete(sourceFile);
        foreach (var (name, t) in names.Zip(new[] { trainX, trainY, testX, testY }))
        {
            string path = Path.Combine(dir, name + ".npy");
            AtomicFile.WriteVia(path, temp => NpyWriter.Write(temp, t.cpu()));
        }
        AtomicFile.WriteAllText(sourceFile, hash);
        return (trainX, trainY, testX, testY);
    }
}
