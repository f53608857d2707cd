namespace ContrastiveLab.Benchmarks;

/// <summary>Workload 3: ResNet-18 with the CIFAR stem, batch 128 of 3×32×32, memory bank over N = 50,000 (CIFAR's
/// training set) and the contrastive loss; images/s of fwd + bwd + SGD + bank update, a few steps.</summary>
public sealed class TrainResNet18CifarWorkload : IBenchWorkload
{
    public string Name => "train-resnet18-cifar";

    public string Description => "ResNet-18 (CIFAR stem), batch 128, memory bank N = 50,000, fwd+bwd+SGD+bank update: images_per_s";

    public IReadOnlyList<BenchResult> Run(BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int batch = settings.Smoke ? 2 : 128;
        using var bench = new TrainingStepBench("resnet18-cifar", 3, 32, batch, settings.Smoke ? 16 : 50_000);
        double rate = settings.Smoke ? bench.ImagesPerSecond(0, 1, 1) : bench.ImagesPerSecond(1, 1, settings.FewRepeats);
        return [new BenchResult(Name, "", new Dictionary<string, double> { ["images_per_s"] = rate },
            "random 3x32x32 inputs; 1 warm-up step, 1 step per timed run, at most 3 runs")];
    }
}
