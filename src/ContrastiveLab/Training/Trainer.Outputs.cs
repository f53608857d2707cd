using ContrastiveLab.Augmentation;
using ContrastiveLab.Evaluation;
using ContrastiveLab.IO;
using ContrastiveLab.Models;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Training.Sources;

namespace ContrastiveLab.Training;

/// <summary>What a run writes as it goes and when it finishes: metric rows, log lines, the summary and the final artefacts.</summary>
public static partial class Trainer
{
    /// <summary>
    /// The log line of one epoch's row: what was measured, nothing for what was not (epoch 0, the untrained encoder,
    /// has no loss and no training rate; an epoch without evaluation has no kNN).
    /// </summary>
    internal static string EpochLine(IReadOnlyDictionary<string, double> row, int epochs, TimeSpan? eta = null)
    {
        var parts = new List<string>();
        void Add(string key, Func<double, string> format)
        {
            if (row.TryGetValue(key, out double v) && double.IsFinite(v))
            {
                parts.Add(format(v));
            }
        }
        Add("loss", v => $"loss {v:F4}");
        Add("knn_top1", v => $"kNN {v:P2}" + (row.TryGetValue("knn_backbone_top1", out double b) && double.IsFinite(b) ? $" (backbone {b:P2})" : ""));
        Add("neg_uniformity", v => $"-uniformity {v:F3}");
        Add("tolerance", v => $"tolerance {v:F3}");
        Add("images_per_s", v => $"{v:F0} img/s");
        if (eta is { } left && left > TimeSpan.Zero)
        {
            parts.Add($"ETA {left:hh\\:mm\\:ss}");
        }
        string epoch = row["epoch"] == 0 ? "epoch 0 (untrained)" : $"epoch {row["epoch"]:F0}/{epochs}";
        return string.Create(CultureInfo.InvariantCulture, $"{epoch}: {string.Join(", ", parts)}");
    }

    /// <summary>"1 epoch", "3 epochs".</summary>
    internal static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    /// <summary>The summary of a finished run: what was trained, the final and best kNN, the last row, time and memory.</summary>
    private static RunSummaryFile Summary(TrainConfig config, ImageSplitSource train, ImageSplitSource test, List<MetricRow> history, long steps,
        double wallSeconds, TrainRunOptions options, IReadOnlyDictionary<string, double> residentAfterEpoch, double flopsPerImage) => new()
    {
        Dataset = config.Dataset,
        Model = config.Model,
        Negatives = config.Negatives,
        Loss = config.Loss,
        Tau = config.Tau,
        HardK = config.HardK,
        Epochs = config.Epochs,
        Steps = steps,
        Seed = config.Seed,
        TrainImages = train.Count,
        TestImages = test.Count,
        ClassNames = train.ClassNames,
        KnnTop1 = history[^1].KnnTop1,
        BestKnnTop1 = history.Select(r => r.KnnTop1).Where(double.IsFinite).Max(),
        Final = history[^1].Columns().ToDictionary(p => p.Key, p => double.IsFinite(p.Value) ? (double?)p.Value : null),
        WallSeconds = wallSeconds,
        Threads = options.Threads,
        Device = options.Device.type.ToString().ToLowerInvariant(),
        ResidentMbAfterEpoch = residentAfterEpoch,
        TrainingGflopPerImage = flopsPerImage / 1e9,
        MeanImagesPerS = MeanOf(history.Select(r => r.ImagesPerS)),
        MeanGflopsPerS = MeanOf(history.Select(r => r.GflopsPerS ?? double.NaN)),
    };

    /// <summary>
    /// The final artefacts for reports: test embeddings and labels (.npy, for 2-D maps) and the per-anchor positive and
    /// nearest-negative similarities (order_statistics.csv, the Fig. 8 box plots), against the embeddings the negative
    /// source keeps (the memory bank) when it keeps any, else the clean training embeddings.
    /// </summary>
    private static void SaveTestEmbeddings(TrainConfig config, string runDirectory, ContrastiveEncoder model, INegativeSource negatives, IImageSource train,
        IImageSource test, Tensor testLabels, AugmentationPipeline trainPipeline, AugmentationPipeline evalPipeline, int[] anchorRows, Device device, int workers)
    {
        using var scope = NewDisposeScope();
        var emb = Evaluator.Embed(model, test, evalPipeline, device, workers).cpu();
        NpyWriter.Write(Path.Combine(runDirectory, RunFiles.TestEmbeddings), emb);
        NpyWriter.Write(Path.Combine(runDirectory, RunFiles.TestLabels), testLabels.cpu());
        var reference = negatives.TrainingEmbeddings is { } kept && config.Epochs > 0 ? kept : Evaluator.Embed(model, train, evalPipeline, device, workers);
        var anchors = Evaluator.Embed(model, new RowsSource(train, anchorRows), trainPipeline, device, workers, seed: Evaluator.DiagnosticSeed(config.Seed), epoch: config.Epochs);
        using var rows = tensor(anchorRows.Select(r => (long)r).ToArray()).to(device);
        var table = Core.Metrics.SimilarityOrderStatistics.AgainstBank(anchors, reference.index_select(0, rows), reference, rows, ranks: Evaluator.Ranks(reference)).Values;
        var sb = new StringBuilder("pos," + string.Join(',', Enumerable.Range(1, table.GetLength(1) - 1).Select(k => $"neg{k}")) + "\n");
        for (int i = 0; i < table.GetLength(0); i++)
        {
            sb.AppendLine(string.Join(',', Enumerable.Range(0, table.GetLength(1)).Select(j => table[i, j].ToString("R", CultureInfo.InvariantCulture))));
        }
        AtomicFile.WriteAllText(Path.Combine(runDirectory, RunFiles.OrderStatistics), sb.ToString());
    }

    /// <summary>The mean of a column over the rows where it is finite; null when there is none.</summary>
    private static double? MeanOf(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? null : finite.Average();
    }

    internal static string TensorBoardTag(string key) => key switch
    {
        "loss" or "lr" or "images_per_s" or "gflops_per_s" => "train/" + key,
        "knn_top1" or "knn_bank_top1" or "knn_backbone_top1" => "eval/" + key,
        _ => "diagnostics/" + key,
    };

    /// <summary>Rewrites metrics.csv from the whole history (so a resumed run never holds duplicate rows).</summary>
    internal static void WriteMetricsCsv(string path, IReadOnlyList<MetricRow> history)
    {
        var rows = history.Select(r => r.ToDictionary()).ToList();
        var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', columns));
        foreach (var row in rows)
        {
            sb.AppendLine(string.Join(',', columns.Select(c => row.TryGetValue(c, out var v) && !double.IsNaN(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")));
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
