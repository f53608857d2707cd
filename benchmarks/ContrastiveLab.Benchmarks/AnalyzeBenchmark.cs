using System.Diagnostics;
using System.Globalization;
using ContrastiveLab.Core.Analysis;
using static TorchSharp.torch;

namespace ContrastiveLab.Benchmarks;

/// <summary>
/// Times EmbeddingAnalyzer.Analyze on clustered embeddings with labels, positives and the Table 1 temperatures.
/// Run under <c>/usr/bin/time -v</c> for the peak resident set size.
/// </summary>
internal static class AnalyzeBenchmark
{
    public static void Run(long n, long d, ScalarType dtype)
    {
        manual_seed(0);
        double[] taus = [0.07, 0.3, 0.7, 1.0];
        using var scope = NewDisposeScope();
        var labels = randint(0, 10, n, dtype: ScalarType.Int64);
        var centres = randn(10, d, dtype: dtype);
        var x = centres.index_select(0, labels).add(randn(n, d, dtype: dtype).mul(2.0));
        var p = x.add(randn(n, d, dtype: dtype).mul(0.5));
        var watch = Stopwatch.StartNew();
        var result = EmbeddingAnalyzer.Analyze(x, labels, p, taus);
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"analyze: N={n} D={d} {dtype} threads={get_num_threads()} taus={taus.Length} hardK=default: {watch.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine($"uniformity {result.Uniformity:F6} tolerance {result.Tolerance:F6} alignment {result.Alignment:F6} loss_simple {result.LossSimple:F6}");
        foreach (var t in result.PerTau)
        {
            Console.WriteLine($"τ={t.Tau}: H {t.PenaltyEntropy:F6} eff {t.EffectiveNegatives:F1} L {t.LossContrastive:F6} Lhard {t.LossHard:F6}");
        }
    }
}
