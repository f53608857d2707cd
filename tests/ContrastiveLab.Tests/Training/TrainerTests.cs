using System.Globalization;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ContrastiveLab.Evaluation;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.TrainedRuns;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

[Collection(ReferenceRunCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-trainer-" + Guid.NewGuid().ToString("N"));

    /// <summary>A tiny run: 20 images per class of the bundled subset, 3 epochs of 6 steps.</summary>
    internal static TrainConfig Tiny(string negatives = "memory-bank", string loss = "contrastive") => new()
    {
        TrainPerClass = 20,
        BatchSize = 32,
        Epochs = 3,
        Negatives = negatives,
        Loss = loss,
        QueueSize = 64,
        DiagnosticAnchors = 50,
        KnnK = 20,
        Workers = 2,
        Seed = 5,
    };

    // CpuHasBf16: bf16 runs here too, emulated by libtorch where the CPU lacks it (only Trainer.Run refuses it there).
    private static TrainRunOptions Options(bool resume = false, CancellationToken cancel = default, Action<TrainProgress>? progress = null) =>
        new() { Resume = resume, Threads = 2, Cancel = cancel, Progress = progress, CpuHasBf16 = true };

    /// <summary>Every metric except the wall-clock ones, which no two runs share.</summary>
    internal static Dictionary<string, double?> Deterministic(JsonObject summary) =>
        summary["final"]!.AsObject().Where(p => p.Key is not ("images_per_s" or "gflops_per_s")).ToDictionary(p => p.Key, p => p.Value?.GetValue<double>());

    [Theory]
    [InlineData("memory-bank", "contrastive")]
    [InlineData("in-batch", "hard")]
    [InlineData("queue", "simple")]
    [InlineData("memory-bank", "contrastive", "bf16")]
    public void An_interrupted_and_resumed_run_ends_with_the_same_metrics_as_an_uninterrupted_one(string negatives, string loss, string precision = "fp32")
    {
        var config = Tiny(negatives, loss) with { Precision = precision };
        var straight = Trainer.Run(config, Path.Combine(_root, "straight"), Options());

        string resumed = Path.Combine(_root, "resumed");
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        var stop = Assert.Throws<TrainingStoppedException>(() => Trainer.Run(config, resumed, Options(cancel: cancel.Token, progress: p =>
        {
            if (!p.EpochFinished && ++steps == 8)
            {
                cancel.Cancel(); // mid-epoch 2
            }
        })));
        Assert.True(stop.Interrupted);
        Assert.Contains("--resume", stop.Message);
        Assert.False(Trainer.IsFinished(resumed));
        var checkpoint = new CheckpointStore(resumed).LatestValid()!;
        long stoppedAt = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint.Path, "meta.json")))!["step"]!.GetValue<long>();
        var again = Trainer.Run(config, resumed, Options(resume: true));

        // TensorBoard: the first process marked a session start at step 0, the resumed one at the step after its
        // checkpoint, so TensorBoard drops whatever the first logged past the checkpoint.
        var eventFiles = Directory.GetFiles(Path.Combine(resumed, "tensorboard")).Order().ToArray();
        Assert.Equal(2, eventFiles.Length);
        Assert.Equal([(0L, true)], Runs.TensorBoardWriterTests.SessionStarts(eventFiles[0]));
        Assert.True(stoppedAt > 0);
        Assert.Equal([(stoppedAt + 1, true)], Runs.TensorBoardWriterTests.SessionStarts(eventFiles[1]));

        Assert.Equal(Deterministic(straight), Deterministic(again));
        Assert.Equal(File.ReadAllLines(Path.Combine(_root, "straight", RunFiles.Metrics)).Length,
            File.ReadAllLines(Path.Combine(resumed, RunFiles.Metrics)).Length);
    }

    [Fact]
    public void TensorBoard_gets_the_step_loss_every_n_steps_beside_the_epoch_scalars()
    {
        int StepLossRecords(string dir) => Directory.GetFiles(Path.Combine(dir, "tensorboard"))
            .SelectMany(Runs.TensorBoardWriterTests.Records)
            .Count(r => System.Text.Encoding.ASCII.GetString(r).Contains("train/step_loss", StringComparison.Ordinal));

        string every = Path.Combine(_root, "tb-every-2");
        long steps = Trainer.Run(Tiny() with { Epochs = 1, TensorboardEvery = 2 }, every, Options())["steps"]!.GetValue<long>();
        Assert.True(steps >= 2, $"{steps} steps");
        Assert.Equal(steps / 2, StepLossRecords(every));

        string off = Path.Combine(_root, "tb-off");
        Trainer.Run(Tiny() with { Epochs = 1, TensorboardEvery = 0 }, off, Options());
        Assert.Equal(0, StepLossRecords(off));
    }

    [Fact]
    public void Epoch_zero_is_the_untrained_baseline_and_training_beats_nothing_less()
    {
        var summary = Trainer.Run(Tiny() with { Epochs = 0 }, Path.Combine(_root, "zero"), Options());
        Assert.Equal(0, summary["final"]!["epoch"]!.GetValue<double>());
        double knn = summary["knn_top1"]!.GetValue<double>();
        Assert.InRange(knn, 0.1, 1.0); // ten classes: chance is 0.1
        string csv = File.ReadAllText(Path.Combine(_root, "zero", RunFiles.Metrics));
        Assert.StartsWith("epoch,step,lr,loss,images_per_s,knn_top1", csv);
        // The untrained encoder is saved, so eval, export and analyze work on the baseline run too.
        Assert.Equal("epoch-0000", new CheckpointStore(Path.Combine(_root, "zero")).LatestValid()!.Name);
        using var run = TrainedRun.Open(Path.Combine(_root, "zero"));
        Assert.Equal(knn, KnnEvaluation.Run(run, Tiny().KnnK, Tiny().KnnSigma, workers: 1), 12);
    }

    [Fact]
    public void Each_epoch_records_its_achieved_gflops_and_the_summary_the_means()
    {
        var config = Tiny() with { Epochs = 2 };
        var summary = Trainer.Run(config, Path.Combine(_root, "rate"), Options());
        // The small CNN on 28×28: convolutions 1→32 at 28², 32→64 at 14², 64→128 at 7² (3×3), then the 128→128 head.
        double forward = 2.0 * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 7 * 7 * 128 * 64 * 9 + 128 * 128);
        Assert.Equal(3 * forward / 1e9, summary["training_gflop_per_image"]!.GetValue<double>(), 12);
        var rows = File.ReadAllLines(Path.Combine(_root, "rate", RunFiles.Metrics));
        string[] header = rows[0].Split(',');
        int rate = Array.IndexOf(header, "images_per_s"), gflops = Array.IndexOf(header, "gflops_per_s");
        Assert.True(gflops > 0, rows[0]);
        var trained = rows.Skip(2).Select(l => l.Split(',')).ToArray(); // epochs 1 and 2
        Assert.Equal(2, trained.Length);
        Assert.All(trained, r => Assert.Equal(double.Parse(r[rate], CultureInfo.InvariantCulture) * 3 * forward / 1e9, double.Parse(r[gflops], CultureInfo.InvariantCulture), 6));
        Assert.Equal(trained.Average(r => double.Parse(r[rate], CultureInfo.InvariantCulture)), summary["mean_images_per_s"]!.GetValue<double>(), 6);
    }

    [Fact]
    public void The_backbone_knn_is_left_out_when_knn_backbone_is_false_and_the_head_knn_does_not_change()
    {
        var with = Trainer.Run(Tiny() with { Epochs = 0 }, Path.Combine(_root, "with"), Options());
        var without = Trainer.Run(Tiny() with { Epochs = 0, KnnBackbone = false }, Path.Combine(_root, "without"), Options());
        Assert.InRange(with["final"]!["knn_backbone_top1"]!.GetValue<double>(), 0.1, 1.0);
        Assert.Null(without["final"]!["knn_backbone_top1"]);
        Assert.Equal(with["knn_top1"]!.GetValue<double>(), without["knn_top1"]!.GetValue<double>());
    }

    [Fact]
    public void A_second_process_cannot_train_into_a_locked_run_folder()
    {
        string dir = Path.Combine(_root, "locked");
        using (RunLock.Acquire(dir))
        {
            var e = Assert.Throws<RunLockedException>(() => RunLock.Acquire(dir));
            Assert.Contains(dir, e.Message);
            Assert.Contains($"process {Environment.ProcessId}", e.Message);
        }
        using var again = RunLock.Acquire(dir);
    }

    [Fact]
    public void A_finished_run_folder_is_not_overwritten_without_resume_and_a_changed_config_is_refused()
    {
        string dir = Path.Combine(_root, "twice");
        var config = Tiny() with { Epochs = 1 };
        Trainer.Run(config, dir, Options());
        Assert.Throws<UserError>(() => Trainer.Run(config, dir, Options()));
        // Resuming the finished run changes nothing and says so.
        byte[] summary = File.ReadAllBytes(Path.Combine(dir, RunFiles.Summary));
        var log = new StringWriter();
        Trainer.Run(config, dir, Options(resume: true) with { Log = log });
        Assert.Equal(summary, File.ReadAllBytes(Path.Combine(dir, RunFiles.Summary)));
        Assert.Contains("has finished already (summary.json); nothing to resume", log.ToString(), StringComparison.Ordinal);
        var changed = Assert.Throws<UserError>(() => Trainer.Run(config with { Tau = 0.5, Seed = 9 }, dir, Options(resume: true)));
        Assert.Contains("different config", changed.Message);
        // Each differing key is named with both values, and no other key.
        Assert.Contains("tau: 0.2 in the folder, 0.5 here; seed: 5 in the folder, 9 here", changed.Message);
        Assert.DoesNotContain("epochs:", changed.Message);
    }

    [Fact]
    public void A_corrupted_newest_checkpoint_falls_back_to_the_previous_one()
    {
        string dir = Path.Combine(_root, "corrupt");
        Trainer.Run(Tiny() with { Epochs = 2 }, dir, Options());
        var store = new CheckpointStore(dir);
        var newest = store.LatestValid()!;
        string model = Path.Combine(newest.Path, "model.bin");
        File.WriteAllBytes(model, File.ReadAllBytes(model)[..100]);
        var rejected = new List<string>();
        var fallback = store.LatestValid(rejected);
        Assert.NotNull(fallback);
        Assert.NotEqual(newest.Name, fallback.Name);
        Assert.Contains(rejected, r => r.Contains("checksum", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
