namespace ContrastiveLab.Bench;

/// <summary>The workloads of <c>contrastive bench</c>, in issue order.</summary>
public static class BenchWorkloads
{
    /// <summary>Every workload.</summary>
    public static IReadOnlyList<IBenchWorkload> All { get; } =
    [
        new TrainSmallCnnBankWorkload(),
        new TrainSmallCnnInBatchWorkload(),
        new TrainResNet18CifarWorkload(),
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
