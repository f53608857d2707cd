using System.Text.Json.Serialization;

namespace ContrastiveLab.Training;

/// <summary>
/// Everything that defines a training run. Immutable; <see cref="Validate"/> names the first option out of range.
/// Written to the run folder as <c>config.json</c> with every default resolved.
/// </summary>
public sealed partial record TrainConfig
{
    /// <summary>Dataset name (see <c>contrastive data info</c>); the default is the bundled Fashion-MNIST subset.</summary>
    public string Dataset { get; init; } = "fashion-mnist-subset";

    /// <summary>Where the dataset's files are, when not in the data folder or a well-known place.</summary>
    public string? DataPath { get; init; }

    /// <summary>Folder searched for datasets (default: the per-user cache).</summary>
    public string? DataDir { get; init; }

    /// <summary>Use only the first N training images per class (null: all). For quick runs.</summary>
    public int? TrainPerClass { get; init; }

    /// <summary>
    /// Leave out the files of an image folder or the samples of tar shards that do not decode (the log counts them and
    /// names the first) instead of refusing the dataset. Written to config.json only when set, so the names of sweep
    /// runs that do not set it (a hash of their config) stay as they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SkipBadImages { get; init; }

    /// <summary>Model name: small-cnn, resnet18-cifar, resnet50-cifar, resnet50.</summary>
    public string Model { get; init; } = "small-cnn";

    /// <summary>Projection head: linear (the paper) or mlp.</summary>
    public string Head { get; init; } = "linear";

    /// <summary>Embedding width (the paper: 128).</summary>
    public int EmbeddingDim { get; init; } = 128;

    /// <summary>Negative source: memory-bank (the paper), in-batch (SimCLR) or queue (MoCo).</summary>
    public string Negatives { get; init; } = "memory-bank";

    /// <summary>Loss name: contrastive, simple, hard, hard-simple, single.</summary>
    public string Loss { get; init; } = "contrastive";

    /// <summary>Temperature τ.</summary>
    public double Tau { get; init; } = 0.2;

    /// <summary>Hardest negatives K for the hard losses (null: use <see cref="HardAlpha"/> or the default 4095 capped by the negatives available).</summary>
    public int? HardK { get; init; }

    /// <summary>Hardest fraction α for the hard losses (instead of K).</summary>
    public double? HardAlpha { get; init; }

    /// <summary>Follow the authors' code instead of the paper for the simple and hard-simple losses.</summary>
    public bool AuthorsVariant { get; init; }

    /// <summary>Augmentation preset for pretraining (null: the dataset's default).</summary>
    public string? Augmentation { get; init; }

    public int Epochs { get; init; } = 30;

    public int BatchSize { get; init; } = 256;

    public double Lr { get; init; } = 0.06;

    public double Momentum { get; init; } = 0.9;

    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Learning-rate schedule: step (the paper: ×0.1 at 80% and 95% of the epochs) or cosine.</summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>Warm-up epochs for the cosine schedule.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Memory-bank update momentum μ (the paper: 0.5).</summary>
    public double BankMomentum { get; init; } = 0.5;

    /// <summary>
    /// How the memory bank starts: <c>random</c> (the paper: uniform(−a, a), a = 1/sqrt(D/3)) or <c>encoder</c> (the
    /// untrained encoder's embeddings of the clean training images, so the first epochs pull each image towards its own
    /// embedding rather than towards a random vector; a CPU-scale shortcut, not the paper's protocol).
    /// </summary>
    public string BankInit { get; init; } = "random";

    /// <summary>Known memory-bank initialisations.</summary>
    public static IReadOnlyList<string> BankInits { get; } = ["random", "encoder"];

    /// <summary>Queue size K for the queue source.</summary>
    public int QueueSize { get; init; } = 4096;

    /// <summary>Momentum of the key encoder for the queue source.</summary>
    public double KeyMomentum { get; init; } = 0.99;

    public long Seed { get; init; } = 1;

    /// <summary>Loader threads (0: one per core).</summary>
    public int Workers { get; init; }

    /// <summary>Save a checkpoint every this many epochs (the last epoch is always saved).</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Evaluate (kNN and diagnostics) every this many epochs; epoch 0 and the last epoch always are.</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>Log the step's loss and learning rate to TensorBoard every this many steps (0: per-epoch scalars only).</summary>
    public int TensorboardEvery { get; init; } = 10;

    /// <summary>Training anchors for the per-epoch diagnostics (the authors' protocol: 1000).</summary>
    public int DiagnosticAnchors { get; init; } = 1000;

    /// <summary>Neighbours and temperature of the weighted kNN monitor (the paper: 200 and 0.07).</summary>
    public int KnnK { get; init; } = 200;

    /// <inheritdoc cref="KnnK"/>
    public double KnnSigma { get; init; } = 0.07;

    /// <summary>
    /// Also record each evaluation's kNN on the backbone's pooled features, normalised (<c>knn_backbone_top1</c>): the
    /// features the linear protocol uses. Costs N × feature-dim floats during the evaluation (100 MB for CIFAR with
    /// ResNet-18, 1 GB for ImageNet100 with ResNet-50).
    /// </summary>
    public bool KnnBackbone { get; init; } = true;

    /// <summary>
    /// Arithmetic of the training step: <c>fp32</c> (the default) or <c>bf16</c>, the encoders' convolutions in
    /// bfloat16 with float32 weights, batch norm, head, loss, bank and optimiser (<see cref="Models.Autocast"/>); needs a
    /// CPU with AVX-512 BF16 or AMX (or a GPU). Evaluation always runs in float32. <c>fp32</c> reads back as null and is
    /// not written to config.json, so fp32 runs keep the config.json and sweep folder names they had before the key.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? Precision { get; init => field = value == Float32 ? null : value; }

    /// <summary>Stop after this many optimisation steps in total (null: run every epoch). For smoke tests.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Known negative sources (<see cref="Sources.NegativeSourceRegistry"/>).</summary>
    public static IReadOnlyList<string> NegativeSources => Sources.NegativeSourceRegistry.Names;

    /// <summary>The <see cref="Precision"/> values.</summary>
    public const string Float32 = "fp32", BFloat16 = "bf16";

    /// <summary>Known schedules.</summary>
    public static IReadOnlyList<string> Schedules { get; } = ["step", "cosine"];

    /// <summary>Every key a <c>config.json</c> (or a sweep's base and grid) may hold: the properties in snake_case.</summary>
    public static IReadOnlyList<string> JsonKeys { get; } = [.. typeof(TrainConfig).GetProperties()
        .Where(p => p.CanWrite && p.GetMethod?.IsStatic == false)
        .Select(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))];

    /// <summary>Throws <see cref="ArgumentException"/> naming the option, its value and what is allowed; every option has a range here.</summary>
    public TrainConfig Validate()
    {
        OptionChecks.OneOf("dataset", Dataset, global::ContrastiveLab.Data.DatasetCatalog.Names);
        OptionChecks.PathText("data-path", DataPath);
        OptionChecks.PathText("data-dir", DataDir);
        if (Augmentation is not null)
        {
            OptionChecks.OneOf("augmentation", Augmentation, [.. global::ContrastiveLab.Augmentation.AugmentationPresets.All.Keys]);
        }
        OptionChecks.OneOf("model", Model, Models.ModelFactory.Names);
        OptionChecks.OneOf("head", Head, ["linear", "mlp"]);
        OptionChecks.OneOf("negatives", Negatives, NegativeSources);
        OptionChecks.OneOf("loss", Loss, Core.Losses.LossRegistry.Names);
        OptionChecks.OneOf("schedule", Schedule, Schedules);
        OptionChecks.OneOf("bank-init", BankInit, BankInits);
        OptionChecks.Range("tau", Tau, 1e-3, 1e3);
        OptionChecks.Range("epochs", Epochs, 0, 100_000);
        OptionChecks.Range("batch-size", BatchSize, 2, 65_536);
        OptionChecks.Range("lr", Lr, 0, 1e4);
        OptionChecks.Range("momentum", Momentum, 0, 0.999999);
        OptionChecks.Range("weight-decay", WeightDecay, 0, 1);
        OptionChecks.Range("warmup-epochs", WarmupEpochs, 0, Math.Max(0, Epochs));
        OptionChecks.Range("embedding-dim", EmbeddingDim, 1, 65_536);
        OptionChecks.Range("bank-momentum", BankMomentum, 0, 0.999999);
        OptionChecks.Range("queue-size", QueueSize, 1, 10_000_000);
        OptionChecks.Range("key-momentum", KeyMomentum, 0, 1);
        OptionChecks.Range("workers", Workers, 0, 256);
        OptionChecks.Range("checkpoint-every", CheckpointEvery, 1, 100_000);
        OptionChecks.Range("tensorboard-every", TensorboardEvery, 0, 1_000_000);
        OptionChecks.Range("eval-every", EvalEvery, 1, 100_000);
        OptionChecks.Range("diagnostic-anchors", DiagnosticAnchors, 2, 1_000_000);
        OptionChecks.Range("knn-k", KnnK, 1, 100_000);
        OptionChecks.Range("knn-sigma", KnnSigma, 1e-4, 1e3);
        OptionChecks.Range("seed", Seed, 0, long.MaxValue);
        if (Precision is not null)
        {
            OptionChecks.OneOf("precision", Precision, [Float32, BFloat16]);
        }
        if (HardK is { } k)
        {
            OptionChecks.Range("hard-k", k, 1, int.MaxValue);
        }
        if (HardAlpha is { } a)
        {
            OptionChecks.Range("hard-alpha", a, 1e-9, 1);
        }
        if (TrainPerClass is { } n)
        {
            OptionChecks.Range("train-per-class", n, 1, int.MaxValue);
        }
        if (MaxSteps is { } s)
        {
            OptionChecks.Range("max-steps", s, 1, int.MaxValue);
        }
        if (HardK is not null && HardAlpha is not null)
        {
            throw new ArgumentException("give either hard-k or hard-alpha, not both", nameof(HardK));
        }
        return this;
    }

    /// <summary>One line describing the run, for logs.</summary>
    [JsonIgnore]
    public string Describe => $"{Loss} τ={Tau} {Negatives} {Model} on {Dataset}, {(Epochs == 1 ? "1 epoch" : $"{Epochs} epochs")}, batch {BatchSize}, lr {Lr}, seed {Seed}";
}
