using ContrastiveLab.Models;
using ContrastiveLab.Runtime;

namespace ContrastiveLab.Bench;

/// <summary>
/// What the convolution guard costs: forward + backward (input and weight gradients) of each strided 1×1 shortcut of
/// ResNet-50, at the CIFAR stem (32 px, batch 64) and the ImageNet stem (224 px, batch 8), computed as the guard does
/// (a matrix product over the strided pixels) and, where this CPU lets oneDNN run them, as a oneDNN convolution. On a
/// CPU that hides its cache sizes the oneDNN side is not run (it dies with SIGFPE there). Milliseconds, median; then
/// a whole ResNet-50 (CIFAR stem) training step with the guard forced on and off, images/s.
/// </summary>
public sealed class ConvGuardWorkload() : BenchWorkload("conv-guard",
    "ResNet-50's strided 1x1 shortcuts, forward + backward, as the guard's matrix product and as oneDNN's convolution: ms")
{
    private static readonly (string Stem, long Batch, long In, long Out, long Size)[] Shapes =
    [
        ("cifar", 64, 256, 512, 32),
        ("cifar", 64, 512, 1024, 16),
        ("cifar", 64, 1024, 2048, 8),
        ("imagenet", 8, 256, 512, 56),
        ("imagenet", 8, 512, 1024, 28),
        ("imagenet", 8, 1024, 2048, 14),
    ];

    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        bool oneDnnSafe = !CpuCacheProbe.Probe().Hidden;
        var results = new List<BenchResult>();
        foreach (var (stem, batch0, cin, cout, size0) in settings.Smoke ? Shapes.Take(1) : Shapes)
        {
            long batch = settings.Smoke ? 2 : batch0, size = settings.Smoke ? 8 : size0;
            string shape = string.Create(CultureInfo.InvariantCulture, $"{stem} {cin}->{cout} s2 {size}px b{batch}");
            foreach (bool guard in new[] { true, false })
            {
                string variant = $"{shape} {(guard ? "matmul" : "onednn")}";
                if (!guard && !oneDnnSafe)
                {
                    results.Add(new BenchResult(Name, variant, new Dictionary<string, double>(), "not run: this CPU hides its cache sizes, where oneDNN's strided 1x1 backward dies with SIGFPE"));
                    continue;
                }
                results.Add(new BenchResult(Name, variant, new Dictionary<string, double> { ["ms"] = 1000 * Time(batch, cin, cout, size, guard, settings) }, ""));
            }
        }
        // A whole ResNet-50 (CIFAR stem) training step, the guard forced either way for the one measurement.
        int stepBatch = settings.Smoke ? 2 : 32;
        foreach (bool guard in new[] { true, false })
        {
            string variant = $"resnet50-cifar step b{stepBatch} {(guard ? "matmul" : "onednn")}";
            if (!guard && !oneDnnSafe)
            {
                results.Add(new BenchResult(Name, variant, new Dictionary<string, double>(), "not run: this CPU hides its cache sizes"));
                continue;
            }
            using (ConvolutionGuard.Force(guard))
            {
                results.Add(TrainingStepBench.Measure(Name, "resnet50-cifar", 3, 32, stepBatch, settings.Smoke ? 16 : 50_000,
                    settings, 1, 1, settings.FewRepeats, "random 3x32x32 inputs, memory bank N = 50,000; 1 warm-up step, 1 step per timed run") with { Variant = variant });
            }
        }
        return results;
    }

    private static double Time(long batch, long cin, long cout, long size, bool guard, BenchSettings settings)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var conv = nn.Conv2d(cin, cout, 1, stride: 2, bias: false);
        var x = randn(batch, cin, size, size).requires_grad_();
        return BenchClock.MedianSeconds(() =>
        {
            using var step = NewDisposeScope();
            Pointwise.Forward(conv, 2, x, guard).sum().backward();
            x.grad!.zero_();
            conv.weight!.grad!.zero_();
        }, settings.Smoke ? 0 : 2, settings.FewRepeats);
    }
}
