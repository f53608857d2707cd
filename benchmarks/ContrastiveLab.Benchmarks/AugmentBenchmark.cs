using System.Diagnostics;
using ContrastiveLab.Augmentation;

namespace ContrastiveLab.Benchmarks;

/// <summary>Augmented images per second on one thread for a preset, median over repeats after a warm-up.</summary>
internal static class AugmentBenchmark
{
    public static double ImagesPerSecondPerCore(AugmentationOptions preset, int channels, int height, int width, int images, int repeats)
    {
        var pipeline = new AugmentationPipeline(preset);
        var pixels = new byte[channels * height * width * 64];
        new Random(1).NextBytes(pixels);
        int stride = channels * height * width;
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
        var rates = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            Pass(images);
            rates.Add(images / sw.Elapsed.TotalSeconds);
        }
        rates.Sort();
        return rates[rates.Count / 2];
    }
}
