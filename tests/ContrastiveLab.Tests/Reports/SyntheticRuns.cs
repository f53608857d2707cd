using System.Globalization;
using System.Text;

namespace ContrastiveLab.Tests.Reports;

/// <summary>Writes tiny run folders directly, in the trainer's file formats, so report tests need no training.</summary>
internal static class SyntheticRuns
{
    public static string NewRoot()
    {
        string root = Path.Combine(Path.GetTempPath(), "cl-report-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return root;
    }

    /// <summary>A finished run; accuracies are fractions.</summary>
    public static string Write(string root, string name, string loss, double tau, double knn, double negUniformity, double tolerance,
        double entropy = 5, long seed = 1, double untrainedKnn = 0.3, bool finished = true, double? linear = null, string dataset = "fashion-mnist-subset")
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"),
            $$"""{"dataset": "{{dataset}}", "model": "small-cnn", "negatives": "memory-bank", "loss": "{{loss}}", "tau": {{N(tau)}}, "hard_k": null, "epochs": 3, "batch_size": 64, "lr": 0.06, "seed": {{seed}}, "train_per_class": 10}""");
        File.WriteAllText(Path.Combine(dir, "metrics.csv"),
            "epoch,step,lr,loss,knn_top1,neg_uniformity,tolerance,penalty_entropy\n" +
            $"0,0,,,{N(untrainedKnn)},0.2,0.9,{N(entropy)}\n" +
            $"3,30,0.01,5.5,{N(knn)},{N(negUniformity)},{N(tolerance)},{N(entropy)}\n");
        var order = new StringBuilder("pos,neg1,neg2,neg3\n");
        for (int i = 0; i < 20; i++)
        {
            order.AppendLine(string.Join(',', new[] { 0.9 - 0.01 * i, 0.5 + 0.01 * i, 0.4 + 0.01 * i, 0.3 + 0.01 * i }.Select(N)));
        }
        File.WriteAllText(Path.Combine(dir, "order_statistics.csv"), order.ToString());
        File.WriteAllText(Path.Combine(dir, "environment.json"),
            """{"contrastivelab": "1.0.0.0", "torchsharp": "0.107.0.0", "libtorch": "2.10.0", "dotnet": "10.0", "os": "TestOS", "machine": "testbox", "cores": 2, "threads": 2, "device": "cpu"}""");
        if (linear is double l)
        {
            File.WriteAllText(Path.Combine(dir, "linear.json"), $$"""{"best_top1": {{N(l)}}, "last_top1": {{N(l)}}, "best_epoch": 5}""");
        }
        if (finished)
        {
            File.WriteAllText(Path.Combine(dir, "summary.json"),
                $$"""
                {"status": "finished", "knn_top1": {{N(knn)}}, "best_knn_top1": {{N(knn)}}, "wall_seconds": 12.5, "threads": 2, "device": "cpu",
                 "train_images": 100, "test_images": 50, "steps": 30,
                 "final": {"epoch": 3, "knn_top1": {{N(knn)}}, "neg_uniformity": {{N(negUniformity)}}, "tolerance": {{N(tolerance)}}, "penalty_entropy": {{N(entropy)}}, "knn_bank_top1": null, "knn_backbone_top1": {{N(knn + 0.05)}}} }
                """);
        }
        return dir;
    }

    /// <summary>
    /// A contrastive sweep where −uniformity falls, tolerance and entropy rise with τ, accuracy peaks at τ = 0.3,
    /// simple is far worse, hard is flat and high; <paramref name="reversed"/> flips every trend. With several
    /// <paramref name="seeds"/>, seed k of n adds (k − (n − 1)/2)·<paramref name="jitter"/> to every value, so the cell means stay put.
    /// </summary>
    public static string Sweep(bool reversed, int seeds = 1, double jitter = 0)
    {
        string root = NewRoot();
        double[] taus = [0.07, 0.3, 0.7, 1.0];
        double[] acc = reversed ? [0.80, 0.60, 0.65, 0.82] : [0.60, 0.80, 0.75, 0.70];
        for (int s = 0; s < seeds; s++)
        {
            double j = (s - (seeds - 1) / 2.0) * jitter;
            string suffix = seeds == 1 ? "" : $"-s{s + 1}";
            for (int i = 0; i < taus.Length; i++)
            {
                int k = reversed ? taus.Length - 1 - i : i;
                Write(root, $"c-{taus[i]}{suffix}", "contrastive", taus[i], acc[i] + j, negUniformity: 3.9 - 0.3 * k + j, tolerance: 0.1 + 0.1 * k + j, entropy: 4 + k + j, seed: s + 1);
                Write(root, $"h-{taus[i]}{suffix}", "hard", taus[i], (reversed ? acc[i] - 0.1 : acc[i] + 0.02) + j, negUniformity: (reversed ? 3.0 - 0.4 * i : 3.9) + j, tolerance: 0.05 + j, seed: s + 1);
            }
            Write(root, $"simple{suffix}", "simple", 1.0, (reversed ? 0.85 : 0.50) + j, 1.5 + j, 0.6 + j, seed: s + 1);
            Write(root, $"single{suffix}", "single", 1.0, (reversed ? 0.79 : 0.32) + j, 3.9 + j, 0.05 + j, seed: s + 1);
        }
        return root;
    }

    public static string N(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
