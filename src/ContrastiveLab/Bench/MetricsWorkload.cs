using ContrastiveLab.Core.Metrics;

namespace ContrastiveLab.Bench;

/// <summary>
/// Workload 5: set-wise uniformity (Eq. 10, all N(N−1)/2 pairs) plus set-wise tolerance (Eq. 11) over N = 60,000
/// random embeddings of D = 128 with 10 random labels; seconds, and the useful GFLOP/s of the uniformity's pair
/// products (N(N−1)/2 · 2D floating-point operations), to be read against the GEMM rate.
/// </summary>
public sealed class MetricsWorkload() : BenchWorkload("metrics",
    "uniformity + tolerance over N = 60,000, D = 128: seconds, gflops (useful pair products)")
{
    protected override IReadOnlyList<BenchResult> Measure(BenchSettings settings)
    {
        long n = settings.Smoke ? 300 : 60_000;
        const long d = 128;
        using var scope = NewDisposeScope();
        manual_seed(3);
        var embeddings = randn(n, d);
        var labels = randint(0, 10, n, dtype: ScalarType.Int64);
        void Once()
        {
            _ = Uniformity.SetWise(embeddings);
            _ = Tolerance.SetWise(embeddings, labels);
        }
        if (!settings.Smoke)
        {
            // Warm-up on a slice: a full untimed run would double the workload's time.
            _ = Uniformity.SetWise(embeddings.narrow(0, 0, 4000));
        }
        double seconds = BenchClock.MedianSeconds(Once, 0, settings.Smoke ? 1 : settings.FewRepeats);
        double flops = n * (n - 1) / 2.0 * 2 * d;
        return [new BenchResult(Name, "", new Dictionary<string, double> { ["seconds"] = seconds, ["gflops"] = flops / seconds / 1e9 },
            "float32 similarities; gflops counts N(N-1)/2 * 2D useful operations")];
    }
}
