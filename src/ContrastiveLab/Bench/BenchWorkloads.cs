namespace ContrastiveLab.Bench;

/// <summary>The workloads of <c>contrastive bench</c>, in issue order.</summary>
public static class BenchWorkloads
{
    // The training steps, each also measured with precision = bf16 (the convolutions in bfloat16, all else float32).
    private static readonly TrainingStepWorkload[] Steps =
    [
        // 1: the default run's step (data loading excluded).
        new TrainingStepWorkload("train-small-cnn-bank",
            "small CNN + memory bank (N = 60,000), contrastive loss, batch 256, fwd+bwd+SGD+bank update: images_per_s")
        {
            Model = "small-cnn", Input = (1, 28), Batch = (256, 8), Bank = (60_000, 64), Steps = (3, 5),
            Note = "random 1x28x28 inputs; 5 steps per timed run",
        },
        // 2: two views of each image, in-batch (NT-Xent style) loss symmetrised over the views as the trainer does.
        new TrainingStepWorkload("train-small-cnn-inbatch",
            "small CNN, two views, in-batch contrastive loss, batch 256, fwd+bwd+SGD: images_per_s")
        {
            Model = "small-cnn", Input = (1, 28), Batch = (256, 8), Steps = (2, 3),
            Note = "random 1x28x28 inputs, 2 views of each image; images counted once; 3 steps per timed run",
        },
        // 3: the paper's CIFAR encoder over a bank the size of CIFAR's training set; a few steps only.
        new TrainingStepWorkload("train-resnet18-cifar",
            "ResNet-18 (CIFAR stem), batch 128, memory bank N = 50,000, fwd+bwd+SGD+bank update: images_per_s")
        {
            Model = "resnet18-cifar", Input = (3, 32), Batch = (128, 2), Bank = (50_000, 16), Steps = (1, 1), FewRepeats = true,
            Note = "random 3x32x32 inputs; 1 warm-up step, 1 step per timed run, at most 3 runs",
        },
    ];

    /// <summary>Every workload.</summary>
    public static IReadOnlyList<IBenchWorkload> All { get; } =
    [
        .. Steps,
        .. Steps.Select(s => s.InBf16()),
        new LossBankWorkload(),
        new MetricsWorkload(),
        new AugmentCifarWorkload(),
        new DecodeImageNetWorkload(),
        new StreamFolderWorkload(),
        new GemmWorkload(),
        new ConvGuardWorkload(),
    ];

    /// <summary>Names the PyTorch reference also runs (all but the augmentation).</summary>
    public static IReadOnlySet<string> WithPyTorchReference { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "train-small-cnn-bank", "train-small-cnn-inbatch", "train-resnet18-cifar", "loss-bank", "metrics", "gemm",
    };

    /// <summary>The workloads named in <paramref name="names"/> (all when empty), in issue order.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static IReadOnlyList<IBenchWorkload> Select(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var unknown = names.Where(n => All.All(w => w.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown workload(s) {string.Join(", ", unknown)}; known: {string.Join(", ", All.Select(w => w.Name))}", nameof(names));
        }
        return names.Count == 0 ? All : [.. All.Where(w => names.Contains(w.Name))];
    }
}
