namespace ContrastiveLab.Bench;

/// <summary>Workload 7: one 2048×2048 by 2048×2048 float32 matrix product into a preallocated output, GFLOP/s
/// (2·n³ operations): the ceiling the other workloads are read against.</summary>
public sealed class GemmWorkload() : BenchWorkload("gemm", "2048^3 float32 matrix product: gflops")
{
    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        long n = settings.Smoke ? 64 : 2048;
        using var scope = NewDisposeScope();
        manual_seed(4);
        var a = randn(n, n);
        var b = randn(n, n);
        var c = empty(n, n);
        double seconds = BenchClock.MedianSeconds(() => c.addmm_(a, b, beta: 0, alpha: 1), settings.Smoke ? 0 : 2, settings.Repeats);
        return [new BenchResult(Name, "", new Dictionary<string, double> { ["gflops"] = 2.0 * n * n * n / seconds / 1e9 }, "")];
    }
}
