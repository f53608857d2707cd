using System.Diagnostics;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.Models;
using ContrastiveLab.Runtime;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;

namespace ContrastiveLab.Bench;

/// <summary>
/// Training-step parity with PyTorch: runs <see cref="Steps"/> real training steps (<see cref="TrainingStep"/>) for a
/// negative source, built as <see cref="Trainer"/> builds them, and writes what an independent PyTorch replay needs
/// (benchmarks/pytorch/parity.py): the initial state, every step's indices, views and learning rate, our per-step
/// losses and final state, and our whole state before every step (so that each step can also be replayed on its own).
/// docs/parity.md describes the comparison and its tolerance.
/// </summary>
/// <remarks>
/// The run is the default config (bundled fashion-mnist-subset, small-cnn, contrastive loss τ = 0.2, SGD lr 0.06,
/// momentum 0.9, weight decay 5e-4, the fashion-mnist augmentation, bank momentum 0.5, key momentum 0.99, seed 1)
/// scaled down so that 50 steps exercise everything: the first <see cref="TrainPerClass"/> training images per class
/// (320 images, so every bank row is a positive five times), batches of <see cref="BatchSize"/> (10 per epoch),
/// <see cref="Epochs"/> epochs of the trainer's own cosine schedule with one warm-up epoch
/// (<see cref="Trainer.LearningRate"/>), and a queue of <see cref="QueueSize"/> keys, which is not a multiple of the
/// batch, so the ring buffer wraps in the middle of a batch.
/// </remarks>
public static class StepParity
{
    /// <summary>Optimisation steps per source: <see cref="Epochs"/> × 320 / <see cref="BatchSize"/>.</summary>
    public const int Steps = 50;

    /// <summary>Images per step.</summary>
    public const int BatchSize = 32;

    /// <summary>Training images per class (10 classes).</summary>
    public const int TrainPerClass = 32;

    /// <summary>Epochs of the schedule; their batches are the <see cref="Steps"/> steps.</summary>
    public const int Epochs = 5;

    /// <summary>Keys in the queue: 7.5 batches, so it wraps within a batch.</summary>
    public const int QueueSize = 240;

    /// <summary>The negative sources the PyTorch replay implements (a newly registered source has no replay yet).</summary>
    public static IReadOnlyList<string> Sources { get; } = [MemoryBankSource.Info.Name, InBatchSource.Info.Name, QueueSource.Info.Name];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The config of the parity run for <paramref name="negatives"/>: the defaults, scaled down as described above.</summary>
    public static TrainConfig ConfigFor(string negatives) => new TrainConfig
    {
        Negatives = negatives,
        TrainPerClass = TrainPerClass,
        BatchSize = BatchSize,
        Epochs = Epochs,
        WarmupEpochs = 1,
        QueueSize = QueueSize,
        KeyMomentum = 0.99,
    }.Validate();

    /// <summary>
    /// Writes one subfolder per negative source (<c>memory-bank</c>, <c>in-batch</c>, <c>queue</c>) into
    /// <paramref name="directory"/> and returns each source's last-step loss.
    /// </summary>
    public static IReadOnlyDictionary<string, double> WriteAll(string directory)
    {
        var last = new Dictionary<string, double>();
        foreach (string negatives in Sources)
        {
            var losses = Write(Path.Combine(directory, negatives), negatives);
            last[negatives] = losses[^1];
        }
        return last;
    }

    /// <summary>
    /// Runs the <see cref="Steps"/> steps of <paramref name="negatives"/> on the CPU and writes into
    /// <paramref name="directory"/> (created): <c>config.json</c> (hyper-parameters and the per-step learning rates),
    /// <c>initial/</c> and <c>final/</c> (the encoder's state dict, one .npy per key), <c>indices.npy</c> (steps, B),
    /// <c>view1.npy</c> and, with two views, <c>view2.npy</c> (steps, B, C, S, S), <c>bank_initial.npy</c> and
    /// <c>bank_final.npy</c> (memory bank), <c>queue_initial.npy</c>, <c>queue_final.npy</c>, <c>initial_key/</c> and
    /// <c>final_key/</c> (queue and key encoder), <c>trajectory/</c> (everything a step reads and writes, before every
    /// step and after the last, stacked: <c>model/KEY.npy</c>, <c>momentum/KEY.npy</c> (SGD's momentum buffers, zero
    /// before the first step, which creates them), <c>bank.npy</c>, <c>queue.npy</c>, <c>key/KEY.npy</c>) and
    /// <c>ours.json</c> (the per-step losses and the queue pointer before every step and after the last).
    /// </summary>
    public static IReadOnlyList<double> Write(string directory, string negatives)
    {
        if (!Sources.Contains(negatives))
        {
            throw new ArgumentException($"unknown negative source '{negatives}'; known: {string.Join(", ", Sources)}", nameof(negatives));
        }
        var config = ConfigFor(negatives);
        Directory.CreateDirectory(directory);
        var device = CPU;
        var watch = Stopwatch.StartNew();

        // Built as Trainer.Run builds it (the data and loader lines as there, the rest by TrainingSetup); what differs is
        // only that nothing is evaluated.
        var (train, _, _) = Trainer.Splits(config);
        var (defaultTrainAug, _) = AugmentationPresets.ForDataset(config.Dataset);
        var trainPipeline = new AugmentationPipeline(config.Augmentation is { } a ? AugmentationPresets.Get(a) : defaultTrainAug);
        int workers = config.Workers > 0 ? config.Workers : Environment.ProcessorCount;
        int views = NegativeSourceRegistry.Get(config.Negatives).ViewsPerImage;
        var loader = new AugmentedLoader(train, trainPipeline, config.BatchSize, views, config.Seed, shuffle: true, dropLast: true, workers: workers);
        if ((long)loader.BatchesPerEpoch * config.Epochs != Steps)
        {
            throw new InvalidOperationException($"the parity run has {loader.BatchesPerEpoch} batches per epoch × {config.Epochs} epochs, not {Steps} steps");
        }
        using var setup = TrainingSetup.Create(config, train.Count, train.Channels, device);
        var (model, optimizer, trainingStep) = (setup.Model, setup.Optimizer, setup.Step);
        var bank = (setup.Negatives as MemoryBankSource)?.Bank;
        var (queue, keyModel) = setup.Negatives is QueueSource q ? (q.Queue, q.KeyModel) : (null, null);
        // The PyTorch replay runs the small CNN in the default NCHW layout; ours runs it channels-last, which only
        // reorders the floating-point sums of the convolutions and batch norms, yet by more than the per-tensor
        // tolerances here allow (SmallCnnLayoutTests bounds that difference). Both sides use NCHW, so this compares
        // the step's logic, loss, optimiser and negatives like with like.
        foreach (var encoder in new[] { model, keyModel })
        {
            if (encoder?.Backbone is SmallCnn cnn)
            {
                cnn.ChannelsLast = false;
            }
        }

        // ---- the starting point
        // The model, and the bank or the queue with its key encoder, at "initial" or "final".
        void WriteEndpoint(string when)
        {
            WriteState(Path.Combine(directory, when), model);
            if (bank is not null)
            {
                NpyWriter.Write(Path.Combine(directory, $"bank_{when}.npy"), bank.Entries);
            }
            if (queue is not null && keyModel is not null)
            {
                NpyWriter.Write(Path.Combine(directory, $"queue_{when}.npy"), queue.Keys);
                WriteState(Path.Combine(directory, $"{when}_key"), keyModel);
            }
        }
        WriteEndpoint("initial");
        long initialPointer = queue?.Pointer ?? 0;
        var trajectory = new Trajectory();
        var pointers = new List<long>(Steps + 1);
        void Snapshot()
        {
            using var scope = NewDisposeScope();
            trajectory.Add("model", model.state_dict());
            var buffers = optimizer.state_dict().State.Select(s => ((TorchSharp.Modules.SGD.State)s).momentum_buffer).ToList();
            var parameters = model.named_parameters().ToList();
            if (buffers.Count != parameters.Count)
            {
                throw new InvalidOperationException($"the optimiser holds {buffers.Count} states for {parameters.Count} parameters");
            }
            trajectory.Add("momentum", parameters.Zip(buffers, (p, b) => (p.name, b ?? zeros_like(p.parameter))));
            if (bank is not null)
            {
                trajectory.Add("", [("bank", bank.Entries)]);
            }
            if (queue is not null && keyModel is not null)
            {
                trajectory.Add("", [("queue", queue.Keys)]);
                trajectory.Add("key", keyModel.state_dict());
                pointers.Add(queue.Pointer);
            }
        }

        // ---- the steps, as Trainer.Run takes them (learning rate per step, then the shared step)
        int viewLength = -1;
        int[] viewShape = [];
        var indices = new long[Steps * config.BatchSize];
        float[][] viewData = new float[views][];
        var lrs = new List<double>(Steps);
        var losses = new List<double>(Steps);
        model.train();
        for (int epoch = 1; epoch <= config.Epochs; epoch++)
        {
            int batchIndex = 0;
            foreach (var batch in loader.Epoch(epoch))
            {
                double lr = Trainer.LearningRate(config, epoch, batchIndex, loader.BatchesPerEpoch);
                LearningRateSchedule.Apply(optimizer, lr);
                int step = losses.Count;
                if (viewLength < 0)
                {
                    viewLength = batch.Views[0].Length;
                    viewShape = [batch.Count, batch.Channels, batch.Size, batch.Size];
                    for (int v = 0; v < views; v++)
                    {
                        viewData[v] = new float[Steps * viewLength];
                    }
                }
                for (int v = 0; v < views; v++)
                {
                    batch.Views[v].CopyTo(viewData[v], step * viewLength);
                }
                batch.Indices.CopyTo(indices, step * config.BatchSize);
                Snapshot();
                using (var scope = NewDisposeScope())
                {
                    var index = tensor(batch.Indices).to(device);
                    losses.Add(trainingStep.Run(index, Evaluator.BatchTensor(batch, 0, device), views > 1 ? Evaluator.BatchTensor(batch, 1, device) : null));
                }
                lrs.Add(lr);
                batchIndex++;
            }
        }

        Snapshot();

        // ---- the inputs of every step, and where we ended
        NpyWriter.Write(Path.Combine(directory, "indices.npy"), NpyArray.Create(indices, Steps, config.BatchSize));
        for (int v = 0; v < views; v++)
        {
            NpyWriter.Write(Path.Combine(directory, $"view{v + 1}.npy"), NpyArray.Create(viewData[v], [Steps, .. viewShape.Select(d => (long)d)]));
        }
        WriteEndpoint("final");
        var json = new JsonObject
        {
            ["negatives"] = config.Negatives,
            ["dataset"] = config.Dataset,
            ["train_images"] = train.Count,
            ["model"] = config.Model,
            ["in_channels"] = train.Channels,
            ["embedding_dim"] = config.EmbeddingDim,
            ["loss"] = config.Loss,
            ["tau"] = config.Tau,
            ["momentum"] = config.Momentum,
            ["weight_decay"] = config.WeightDecay,
            ["bank_momentum"] = config.BankMomentum,
            ["queue_size"] = config.QueueSize,
            ["queue_pointer"] = initialPointer,
            ["key_momentum"] = config.KeyMomentum,
            ["batch_size"] = config.BatchSize,
            ["views"] = views,
            ["steps"] = Steps,
            ["seed"] = config.Seed,
            ["schedule"] = string.Create(CultureInfo.InvariantCulture, $"Trainer.LearningRate: {config.Schedule}, base lr {config.Lr}, {config.Epochs} epochs of {loader.BatchesPerEpoch} batches, {config.WarmupEpochs} warm-up epoch"),
            ["lr"] = new JsonArray([.. lrs.Select(x => JsonValue.Create(x))]),
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), json.ToJsonString(Indented));
        trajectory.Write(Path.Combine(directory, "trajectory"));
        var ours = new JsonObject
        {
            ["losses"] = new JsonArray([.. losses.Select(x => JsonValue.Create(x))]),
            ["queue_pointer"] = queue?.Pointer ?? 0,
            ["queue_pointers"] = new JsonArray([.. pointers.Select(x => JsonValue.Create(x))]),
            ["torchsharp"] = BuildInfo.TorchSharp,
            ["threads"] = get_num_threads(),
            ["seconds"] = watch.Elapsed.TotalSeconds,
        };
        File.WriteAllText(Path.Combine(directory, "ours.json"), ours.ToJsonString(Indented));
        return losses;
    }

    /// <summary>The encoder's parameters and buffers, one .npy per state-dict key (as PyTorch names them).</summary>
    private static void WriteState(string directory, ContrastiveEncoder model)
    {
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        foreach (var (key, value) in model.state_dict())
        {
            NpyWriter.Write(Path.Combine(directory, key + ".npy"), value.detach().contiguous());
        }
    }

    /// <summary>Named tensors recorded once per step, written as one stacked .npy per name (step first).</summary>
    private sealed class Trajectory
    {
        private readonly List<string> _names = [];
        private readonly Dictionary<string, (long[] Shape, ScalarType Type, List<Array> Rows)> _series = new(StringComparer.Ordinal);

        /// <summary>Copies each tensor's values as the next row of the series <c>GROUP/NAME</c> (or <c>NAME</c>).</summary>
        public void Add(string group, IEnumerable<(string Name, Tensor Value)> tensors)
        {
            foreach (var (name, value) in tensors)
            {
                string key = group.Length == 0 ? name : group + "/" + name;
                using var flat = value.detach().cpu().contiguous();
                Array row = flat.dtype switch
                {
                    ScalarType.Float32 => flat.data<float>().ToArray(),
                    ScalarType.Int64 => flat.data<long>().ToArray(),
                    _ => throw new InvalidOperationException($"{key} is {flat.dtype}; the trajectory holds float32 and int64"),
                };
                if (!_series.TryGetValue(key, out var series))
                {
                    series = (value.shape, flat.dtype, []);
                    _series[key] = series;
                    _names.Add(key);
                }
                series.Rows.Add(row);
            }
        }

        /// <inheritdoc cref="Add(string, IEnumerable{ValueTuple{string, Tensor}})"/>
        public void Add(string group, IEnumerable<KeyValuePair<string, Tensor>> tensors) => Add(group, tensors.Select(p => (p.Key, p.Value)));

        /// <summary>Writes <c>NAME.npy</c> of shape (rows, …) for every series under <paramref name="directory"/>.</summary>
        public void Write(string directory)
        {
            foreach (string key in _names)
            {
                var (shape, type, rows) = _series[key];
                string path = Path.Combine(directory, key + ".npy");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                long[] stacked = [rows.Count, .. shape];
                NpyWriter.Write(path, type == ScalarType.Float32
                    ? NpyArray.Create(rows.SelectMany(r => (float[])r).ToArray(), stacked)
                    : NpyArray.Create(rows.SelectMany(r => (long[])r).ToArray(), stacked));
            }
        }
    }
}
