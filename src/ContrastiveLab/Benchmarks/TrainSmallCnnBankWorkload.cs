namespace ContrastiveLab.Benchmarks;

/// <summary>Workload 1: small CNN + memory bank (N = 60,000) + contrastive loss, batch 256, 1×28×28 inputs;
/// images/s of fwd + bwd + SGD + bank update (data loading excluded).</summary>
public sealed class TrainSmallCnnBankWorkload : IBenchWorkload
{
    public string Name => "train-small-cnn-bank";

    public string Description => "small CNN + memory bank (N = 60,000), contrastive loss, batch 256, fwd+bwd+SGD+bank update: images_per_s";

    public IReadOnlyList<BenchResult> Run(BenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int batch = settings.Smoke ? 8 : 256;
        using var bench = new TrainingStepBench("small-cnn", 1, 28, batch, settings.Smoke ? 64 : 60_000);
        double rate = settings.Smoke ? bench.ImagesPerSecond(0, 1, 1) : bench.ImagesPerSecond(3, 5, settings.Repeats);
        return [new BenchResult(Name, "", new Dictionary<string, double> { ["images_per_s"] = rate },
            "random 1x28x28 inputs; 5 steps per timed run")];
    }
}
