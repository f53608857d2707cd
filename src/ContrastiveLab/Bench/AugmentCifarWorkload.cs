using ContrastiveLab.Augmentation;

namespace ContrastiveLab.Bench;

/// <summary>Workload 6: augmented views per second on one thread (so per core) for the paper's CIFAR preset on
/// random 3×32×32 images; no PyTorch counterpart (torchvision is not part of the reference).</summary>
public sealed class AugmentCifarWorkload() : BenchWorkload("augment-cifar",
    "cifar-paper augmentation on one thread: images_per_s (per core)")
{
    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        int images = settings.Smoke ? 20 : 20_000;
        double rate = ImagesPerSecondPerCore(AugmentationPresets.CifarPaper, 3, 32, 32, images, settings.Smoke ? 1 : settings.Repeats);
        return [new BenchResult(Name, "", new Dictionary<string, double> { ["images_per_s"] = rate }, "one thread, i.e. per core")];
    }

    /// <summary>Median views per second on the calling thread for <paramref name="preset"/>, after a warm-up pass.</summary>
    public static double ImagesPerSecondPerCore(AugmentationOptions preset, int channels, int height, int width, int images, int repeats)
    {
        var pipeline = new AugmentationPipeline(preset);
        int stride = channels * height * width;
        var pixels = new byte[stride * 64];
        new Random(1).NextBytes(pixels);
        var output = new float[pipeline.ViewLength(channels)];
        void Pass(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var rng = AugmentRandom.ForView(0, 0, i, 0);
                pipeline.Apply(pixels.AsSpan(i % 64 * stride, stride), channels, height, width, output, ref rng);
            }
        }
        Pass(Math.Min(images, 2000));
        double seconds = BenchClock.MedianSeconds(() => Pass(images), 0, repeats);
        return images / seconds;
    }
}
