using System.Text.Json.Nodes;
using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Sweeps;

/// <summary>One array task's run (<see cref="SweepRunner.RunTask"/>) and what <see cref="SweepStatus"/> reads from the run folders.</summary>
public sealed class SweepTaskTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-sweep-task-" + Guid.NewGuid().ToString("N"));

    private static SweepFile Sweep() => SweepFile.Parse("""
        {
          "name": "tasks",
          "base": { "train_per_class": 10, "batch_size": 25, "epochs": 2, "diagnostic_anchors": 20, "knn_k": 5, "workers": 1 },
          "grid": [ { "loss": "contrastive", "tau": 0.5 }, { "loss": "simple", "train_per_class": 2 }, { "loss": "contrastive", "tau": 0.2 } ],
        }
        """, "tasks.json");

    private static SweepStatus.RunState State(string results, int index) => SweepStatus.Read(results).Single().Runs[index];

    [Fact]
    public void A_task_stopped_mid_run_leaves_a_checkpoint_not_a_summary_and_the_next_task_resumes_it_to_the_end()
    {
        var runs = Sweep().Expand();
        string dir = Path.Combine(_root, runs[0].Name);
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        var stopped = Assert.Throws<TrainingStoppedException>(() => SweepRunner.RunTask(Sweep(), _root, 0, new TrainRunOptions
        {
            Threads = 2,
            Cancel = cancel.Token,
            Progress = p =>
            {
                if (!p.EpochFinished && ++steps == 6)
                {
                    cancel.Cancel(); // mid-epoch 2, as SIGTERM from scancel does
                }
            },
        }));
        Assert.True(stopped.Interrupted);
        Assert.False(Trainer.IsFinished(dir));
        Assert.False(File.Exists(Path.Combine(dir, SweepRunner.FailureFile)), "an interruption is not a failure");
        var interrupted = State(_root, 0);
        Assert.Equal("interrupted", interrupted.State);
        Assert.StartsWith("resumes from checkpoint", interrupted.Detail);
        Assert.Equal(["interrupted", "pending", "pending"], SweepStatus.Read(_root).Single().Runs.Select(r => r.State));

        File.WriteAllText(Path.Combine(dir, SweepRunner.FailureFile), """{ "error": "an earlier attempt" }""");
        var log = new StringWriter();
        var outcome = SweepRunner.RunTask(Sweep(), _root, 0, new TrainRunOptions { Threads = 2, Log = log });
        Assert.Equal(SweepRunner.RunOutcome.Finished, outcome.State);
        Assert.Contains("resuming", log.ToString());
        Assert.Equal("finished", State(_root, 0).State);
        Assert.False(File.Exists(Path.Combine(dir, SweepRunner.FailureFile)), "a finished run still carries an old failure");

        // summary.json is the run's last file, and no temporary file is left behind.
        var files = new DirectoryInfo(dir).GetFiles("*", SearchOption.AllDirectories).Where(f => f.Name != RunLock.FileName).ToArray();
        Assert.DoesNotContain(files, f => f.Name.EndsWith(".tmp", StringComparison.Ordinal));
        var summary = files.Single(f => f.Name == RunFiles.Summary);
        Assert.All(files, f => Assert.True(f.LastWriteTimeUtc <= summary.LastWriteTimeUtc, $"{f.FullName} was written after summary.json"));

        // A finished run's task has nothing to do.
        Assert.Equal(SweepRunner.RunOutcome.Skipped, SweepRunner.RunTask(Sweep(), _root, 0, new TrainRunOptions { Threads = 2 }).State);
    }

    [Fact]
    public void A_failing_task_records_its_error_line_in_the_run_folder_and_status_shows_it()
    {
        // Run 1 asks for batches of 25 from 20 images: it fails once its data is loaded.
        var e = Assert.Throws<UserError>(() => SweepRunner.RunTask(Sweep(), _root, 1, new TrainRunOptions { Threads = 2 }));
        var failed = State(_root, 1);
        Assert.Equal("failed", failed.State);
        Assert.Equal(e.Message.Split('\n')[0], failed.Detail);
        Assert.Contains("exceeds the 20 training images", failed.Detail);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, failed.Name, SweepRunner.FailureFile)))!;
        Assert.Equal(Environment.MachineName, record["host"]!.GetValue<string>());

        // Slurm's view wins over the folder's: a requeued task is pending or running again.
        var runs = Sweep().Expand();
        var queued = SweepStatus.Of(1, runs[1].Name, Path.Combine(_root, runs[1].Name), ("PENDING", "77_1"));
        Assert.Equal(("pending", "failed before; slurm task 77_1 pending"), (queued.State, queued.Detail));
        var running = SweepStatus.Of(1, runs[1].Name, Path.Combine(_root, runs[1].Name), ("RUNNING", "77_1"));
        Assert.Equal(("running", "slurm task 77_1"), (running.State, running.Detail));
        Assert.Throws<SweepException>(() => SweepRunner.RunTask(Sweep(), _root, 3, new TrainRunOptions()));
    }

    [Fact]
    public void A_second_task_on_a_run_folder_in_use_fails_clearly_without_touching_it_and_status_calls_it_running()
    {
        var runs = Sweep().Expand();
        string dir = Path.Combine(_root, runs[2].Name);
        SweepRunner.WriteListing(Sweep(), runs, _root);
        using (RunLock.Acquire(dir))
        {
            Assert.True(RunLock.IsHeld(dir));
            Assert.Equal("running", State(_root, 2).State);
            var e = Assert.Throws<RunLockedException>(() => SweepRunner.RunTask(Sweep(), _root, 2, new TrainRunOptions { Threads = 2, LockWait = TimeSpan.FromSeconds(0.5) }));
            Assert.Contains(dir, e.Message);
            Assert.Contains("in use", e.Message);
            Assert.False(File.Exists(Path.Combine(dir, SweepRunner.FailureFile)));
            Assert.False(File.Exists(Path.Combine(dir, RunFiles.Config)));
        }
        Assert.False(RunLock.IsHeld(dir));
        Assert.Equal("pending", State(_root, 2).State);
    }

    [Fact]
    public void Status_without_a_sweep_listing_says_so()
    {
        Directory.CreateDirectory(_root);
        Assert.Contains("no sweep has run", Assert.Throws<SweepException>(() => SweepStatus.Read(_root)).Message);
        Assert.Contains("no such folder", Assert.Throws<SweepException>(() => SweepStatus.Read(Path.Combine(_root, "nope"))).Message);
    }

    [Fact]
    public void An_atomic_write_that_fails_midway_leaves_the_old_file_and_no_temporary()
    {
        Directory.CreateDirectory(_root);
        string path = Path.Combine(_root, RunFiles.Summary);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("{\"half"u8);
            throw new IOException("killed");
        }));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_root));
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
