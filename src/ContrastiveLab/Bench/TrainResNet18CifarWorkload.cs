namespace ContrastiveLab.Bench;

/// <summary>Workload 3: ResNet-18 with the CIFAR stem, batch 128 of 3×32×32, memory bank over N = 50,000 (CIFAR's
/// training set) and the contrastive loss; images/s of fwd + bwd + SGD + bank update, a few steps.</summary>
public sealed class TrainResNet18CifarWorkload : IBenchWorkload
{
    public string Name => "train-resnet18-cifar";

    public string Description => "ResNet-18 (CIFAR stem), batch 128, memory bank N = 50,000, fwd+bwd+SGD+bank update: images_per_s";

    public IReadOnlyList<BenchResult> Run(BenchSettings settings) =>
        [TrainingStepBench.Measure(Name, "resnet18-cifar", 3, 32, settings.Smoke ? 2 : 128, settings.Smoke ? 16 : 50_000,
            settings, 1, 1, settings.FewRepeats, "random 3x32x32 inputs; 1 warm-up step, 1 step per timed run, at most 3 runs")];
}
