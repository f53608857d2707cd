namespace ContrastiveLab.Bench;

/// <summary>Workload 1: small CNN + memory bank (N = 60,000) + contrastive loss, batch 256, 1×28×28 inputs;
/// images/s of fwd + bwd + SGD + bank update (data loading excluded).</summary>
public sealed class TrainSmallCnnBankWorkload : IBenchWorkload
{
    public string Name => "train-small-cnn-bank";

    public string Description => "small CNN + memory bank (N = 60,000), contrastive loss, batch 256, fwd+bwd+SGD+bank update: images_per_s";

    public IReadOnlyList<BenchResult> Run(BenchSettings settings) =>
        [TrainingStepBench.Measure(Name, "small-cnn", 1, 28, settings.Smoke ? 8 : 256, settings.Smoke ? 64 : 60_000,
            settings, 3, 5, settings.Repeats, "random 1x28x28 inputs; 5 steps per timed run")];
}
