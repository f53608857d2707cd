namespace ContrastiveLab.Bench;

/// <summary>Workload 2: small CNN, two views of 256 images, in-batch (NT-Xent style) contrastive loss symmetrised
/// over the views as <see cref="Training.Trainer"/> does; images/s (anchors) of fwd + bwd + SGD.</summary>
public sealed class TrainSmallCnnInBatchWorkload : IBenchWorkload
{
    public string Name => "train-small-cnn-inbatch";

    public string Description => "small CNN, two views, in-batch contrastive loss, batch 256, fwd+bwd+SGD: images_per_s";

    public IReadOnlyList<BenchResult> Run(BenchSettings settings) =>
        [TrainingStepBench.Measure(Name, "small-cnn", 1, 28, settings.Smoke ? 8 : 256, null,
            settings, 2, 3, settings.Repeats, "random 1x28x28 inputs, 2 views of each image; images counted once; 3 steps per timed run")];
}
