namespace ContrastiveLab.Bench;

/// <summary>One 2048×2048 by 2048×2048 float32 matrix product into a preallocated output, GFLOP/s (2·n³ operations):
/// the ceiling the other workloads are read against; and the same product in bfloat16 (variant <c>bf16</c>) where the CPU
/// has native bf16, the ceiling of the bf16 training steps.</summary>
public sealed class GemmWorkload() : BenchWorkload("gemm", "2048^3 float32 (and, where the CPU has it, bfloat16) matrix product: gflops")
{
    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        long n = settings.Smoke ? 64 : 2048;
        using var scope = NewDisposeScope();
        manual_seed(4);
        var results = new List<BenchResult>();
        foreach (var dtype in Runtime.CpuBf16.Supported ? new[] { ScalarType.Float32, ScalarType.BFloat16 } : [ScalarType.Float32])
        {
            var a = randn(n, n).to(dtype);
            var b = randn(n, n).to(dtype);
            var c = empty(n, n, dtype: dtype);
            double seconds = BenchClock.MedianSeconds(() => c.addmm_(a, b, beta: 0, alpha: 1), settings.Smoke ? 0 : 2, settings.Repeats);
            results.Add(new BenchResult(Name, dtype == ScalarType.Float32 ? "" : "bf16", new Dictionary<string, double> { ["gflops"] = 2.0 * n * n * n / seconds / 1e9 }, ""));
        }
        return results;
    }
}
