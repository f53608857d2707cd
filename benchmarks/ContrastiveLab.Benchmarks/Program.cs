using System.Diagnostics;
using ContrastiveLab.Core.Analysis;
using ContrastiveLab.Runtime;
using TorchSharp;
using static TorchSharp.torch;

// Usage: analyze [N] [D] [float32|float64] — times EmbeddingAnalyzer.Analyze on clustered embeddings with labels,
// positives and the Table 1 temperatures. Run under `/usr/bin/time -v` for the peak resident set size.
if (args.Length == 0 || args[0] != "analyze")
{
    Console.WriteLine("usage: ContrastiveLab.Benchmarks analyze [N=100000] [D=128] [float32|float64]");
    return 2;
}
long n = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
long d = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 128;
var dtype = args.Length > 3 && args[3] == "float64" ? ScalarType.Float64 : ScalarType.Float32;
MallocTuning.Apply();
TorchRuntime.EnsureLoaded();
int threads = TorchRuntime.ConfigureThreads(2);
manual_seed(0);
double[] taus = [0.07, 0.3, 0.7, 1.0];
using (var scope = NewDisposeScope())
{
    var labels = randint(0, 10, n, dtype: ScalarType.Int64);
    var centres = randn(10, d, dtype: dtype);
    var x = centres.index_select(0, labels).add(randn(n, d, dtype: dtype).mul(2.0));
    var p = x.add(randn(n, d, dtype: dtype).mul(0.5));
    var watch = Stopwatch.StartNew();
    var result = EmbeddingAnalyzer.Analyze(x, labels, p, taus);
    watch.Stop();
    Console.WriteLine($"N={n} D={d} {dtype} threads={threads} taus={taus.Length} hardK=default: {watch.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"uniformity {result.Uniformity:F6} tolerance {result.Tolerance:F6} alignment {result.Alignment:F6} loss_simple {result.LossSimple:F6}");
    foreach (var t in result.PerTau)
    {
        Console.WriteLine($"τ={t.Tau}: H {t.PenaltyEntropy:F6} eff {t.EffectiveNegatives:F1} L {t.LossContrastive:F6} Lhard {t.LossHard:F6}");
    }
}
return 0;
