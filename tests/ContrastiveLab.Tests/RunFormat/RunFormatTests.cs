using System.Text.Json.Nodes;
using ContrastiveLab.Reports;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Tests.Reports;
using ContrastiveLab.Tests.Training;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.RunFormat;

/// <summary>
/// The run-folder contract round-trips: what the trainer and the sweeps write, the reports and the sweep status read
/// back as the same values, file by file.
/// </summary>
public sealed class RunFormatTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-format-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void A_summary_reads_back_as_written()
    {
        var summary = new RunSummaryFile
        {
            Dataset = "cifar10", Model = "resnet18-cifar", Negatives = "queue", Loss = "hard", Tau = 0.2, HardK = 4095, Epochs = 200, Steps = 78_000,
            Seed = 3, TrainImages = 50_000, TestImages = 10_000, ClassNames = ["airplane", "automobile"], KnnTop1 = 0.8125, BestKnnTop1 = 0.8203125,
            Final = new Dictionary<string, double?> { ["epoch"] = 200, ["knn_top1"] = 0.8125, ["knn_bank_top1"] = null },
            WallSeconds = 12_345.5, Threads = 16, Device = "cuda", ResidentMbAfterEpoch = new Dictionary<string, double> { ["1"] = 1500.25, ["2"] = 1501 },
            TrainingGflopPerImage = 1.67, MeanImagesPerS = 2048.5, MeanGflopsPerS = null,
        };

        string json = summary.ToJson();
        var back = RunSummaryFile.Parse(JsonNode.Parse(json)!.AsObject());

        Assert.Equal(json, back.ToJson());
        Assert.Equal((summary.KnnTop1, summary.BestKnnTop1, summary.Steps, summary.Negatives, summary.HardK), (back.KnnTop1, back.BestKnnTop1, back.Steps, back.Negatives, back.HardK));
        Assert.Null(back.Final["knn_bank_top1"]);
        Assert.Null(back.MeanGflopsPerS);
    }

    [Fact]
    public void A_summary_without_its_required_fields_is_refused_by_name()
    {
        var noKnn = Assert.Throws<FormatException>(() => RunSummaryFile.Parse(new JsonObject { ["final"] = new JsonObject() }));
        Assert.Contains("knn_top1", noKnn.Message);
        var noFinal = Assert.Throws<FormatException>(() => RunSummaryFile.Parse(new JsonObject { ["knn_top1"] = 0.5 }));
        Assert.Contains("final", noFinal.Message);
        var wrongType = Assert.Throws<FormatException>(() => RunSummaryFile.Parse(new JsonObject { ["knn_top1"] = "high", ["final"] = new JsonObject() }));
        Assert.Contains("knn_top1", wrongType.Message);
    }

    [Fact]
    public void A_linear_result_reads_back_as_written_in_the_files_layout_and_the_report_reads_it()
    {
        var result = new LinearResultFile("augmented", 100, 0.8125, 87, 0.80078125, "last");
        string json = result.ToJson();
        // The layout linear.json has always had: these keys in this order, indented.
        Assert.Equal(new JsonObject
        {
            ["mode"] = "augmented", ["epochs"] = 100, ["best_top1"] = 0.8125, ["best_epoch"] = 87, ["last_top1"] = 0.80078125, ["checkpoint"] = "last",
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), json);
        Assert.Equal(result, LinearResultFile.Parse(JsonNode.Parse(json)!.AsObject()));

        // Percentages and a file with only its required field.
        Assert.Equal(new LinearResultFile("?", 0, 0.8125, 0, 0.8125, "?"), LinearResultFile.Parse(new JsonObject { ["best_top1"] = 81.25 }));
        Assert.Contains("best_top1", Assert.Throws<FormatException>(() => LinearResultFile.Parse(new JsonObject { ["last_top1"] = 0.5 })).Message);
        Assert.Contains("mode", Assert.Throws<FormatException>(() => LinearResultFile.Parse(new JsonObject { ["best_top1"] = 0.5, ["mode"] = 3 })).Message);

        // The report's reader sees the same numbers.
        string run = SyntheticRuns.Write(_root, "run", "contrastive", 0.2, 0.7, 3, 0.3);
        File.WriteAllText(Path.Combine(run, RunFiles.Linear), json);
        var linear = RunFolderReader.ReadRun(run).Linear!;
        Assert.Equal((result.BestTop1, result.LastTop1, result.BestEpoch), (linear.BestTop1, linear.LastTop1, linear.BestEpoch));
    }

    [Fact]
    public void A_knn_result_reads_back_as_written_in_the_files_layout()
    {
        var result = new KnnResultFile("backbone", 200, 0.07, 0.7725, 10_000, 2_000, "epoch-0008");
        string json = result.ToJson();
        Assert.Equal(new JsonObject
        {
            ["features"] = "backbone", ["k"] = 200, ["sigma"] = 0.07, ["top1"] = 0.7725, ["train_images"] = 10_000, ["test_images"] = 2_000, ["checkpoint"] = "epoch-0008",
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), json);
        Assert.Equal(result, KnnResultFile.Parse(JsonNode.Parse(json)!.AsObject()));
        var missing = JsonNode.Parse(json)!.AsObject();
        missing.Remove("top1");
        Assert.Contains("top1", Assert.Throws<FormatException>(() => KnnResultFile.Parse(missing)).Message);
    }

    [Fact]
    public void A_sweep_listing_reads_back_as_written_by_the_sweep_runner_and_status_sees_its_runs()
    {
        var sweep = SweepFile.Parse("""{"name": "tiny", "description": "two runs", "follows": "Table 1", "base": {"epochs": 1}, "grid": [{"tau": [0.1, 0.2]}], "seeds": [1]}""", "tiny.json");
        var runs = sweep.Expand();
        SweepRunner.WriteListing(sweep, runs, _root);

        string path = RunFiles.SweepListingPath(_root, "tiny");
        var listing = SweepListing.Parse(File.ReadAllText(path), "tiny");

        Assert.Equal(("tiny", "two runs", "Table 1"), (listing.Name, listing.Description, listing.Follows));
        Assert.Equal(runs.Select(r => r.Name), listing.Runs);
        Assert.Equal(File.ReadAllText(path), listing.ToJson());
        Assert.Equal(runs.Select(r => r.Name), SweepStatus.Read(_root).Single().Runs.Select(r => r.Name));
        Assert.Throws<FormatException>(() => SweepListing.Parse("""{"name": "x"}""", "x"));
        Assert.Throws<FormatException>(() => SweepListing.Parse("""{"runs": [1]}""", "x"));
    }

    [Fact]
    public void Every_file_the_trainer_writes_reads_back_in_the_report_with_the_trainers_values()
    {
        var config = TrainerTests.Tiny("in-batch") with { Epochs = 1 };
        string run = Path.Combine(_root, "run");
        var written = Trainer.Run(config, run, new TrainRunOptions { Threads = 2 });

        var record = RunFolderReader.ReadRun(run);

        // config.json
        Assert.Equal((config.Dataset, config.Model, config.Negatives, config.Loss, config.Tau, config.Epochs, config.BatchSize, config.Seed, config.TrainPerClass),
            (record.Config.Dataset, record.Config.Model, record.Config.Negatives, record.Config.Loss, record.Config.Tau, record.Config.Epochs, record.Config.BatchSize, record.Config.Seed, record.Config.TrainPerClass));
        Assert.Equal(config, TrainConfig.FromJson(File.ReadAllText(Path.Combine(run, RunFiles.Config))));
        // summary.json
        var summary = RunSummaryFile.Parse(written);
        Assert.Equal((summary.KnnTop1, summary.BestKnnTop1, summary.Steps, summary.TrainImages, summary.TestImages, summary.Threads),
            (record.Summary.KnnTop1, record.Summary.BestKnnTop1, record.Summary.Steps, record.Summary.TrainImages, record.Summary.TestImages, record.Summary.Threads));
        Assert.Equal(summary.ClassNames, record.Summary.ClassNames);
        Assert.Equal(summary.Final.Where(p => p.Value is not null).Select(p => (p.Key, p.Value!.Value)),
            record.Summary.Final.Where(p => p.Value is not null).Select(p => (p.Key, p.Value!.Value)));
        // metrics.csv: epoch 0 and epoch 1, every value the summary's last row holds
        Assert.Equal([0, 1], record.Metrics.Select(m => m.Epoch));
        foreach (var (key, value) in summary.Final.Where(p => p.Value is not null))
        {
            Assert.Equal(value!.Value, record.Metrics[^1].Values[key]);
        }
        // order_statistics.csv: one row per diagnostic anchor, the positive first
        Assert.NotNull(record.OrderStatistics);
        Assert.Equal(config.DiagnosticAnchors, record.OrderStatistics!.Rows.Count);
        Assert.Equal("pos", record.OrderStatistics.Columns[0]);
        // environment.json
        Assert.Equal(2, record.Environment!.Threads);
        Assert.Equal("cpu", record.Environment.Device);
    }
}
