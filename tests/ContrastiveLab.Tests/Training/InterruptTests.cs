using System.Globalization;
using System.Text.Json.Nodes;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// Ctrl-C and the edges of a run: SIGINT to a CLI child stops it at a step boundary with a checkpoint and says how to
/// resume; a stop before the first step, or a kill after the final checkpoint, resumes to the uninterrupted metrics.
/// </summary>
[Collection(FixtureRunCollection.Name)]
public sealed class InterruptTests(FixtureRunFixture reference, ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-interrupt-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Ctrl_c_or_sigterm_stops_a_cli_run_at_a_step_boundary_with_a_checkpoint_and_exit_130_and_resume_ends_with_the_uninterrupted_metrics()
    {
        Directory.CreateDirectory(_root);
        string configFile = Path.Combine(_root, "tiny.json");
        File.WriteAllText(configFile, TrainConfig.ToJson(FixtureRunFixture.Config()));
        var rng = new Random(20210619);
        var stops = new List<string>();
        string runDir = "";
        // The delay before the signal is a fraction of an in-process run's time, measured under another load than the
        // child runs under. A series whose first child finishes before its signal starts again in a fresh folder with
        // the delay scale halved, so the test always interrupts at least once.
        for (int series = 0; !stops.Any(s => s.Contains("interrupted", StringComparison.Ordinal)); series++)
        {
            Assert.True(series < 5, "no child could be interrupted before it finished: " + string.Join("; ", stops));
            runDir = Path.Combine(_root, $"run{series}");
            double scale = reference.Seconds * 0.5 * Math.Pow(0.5, series);
            for (int attempt = 0; attempt < 3; attempt++)
            {
                string[] args = attempt == 0 ? ["train", "--config", configFile, "--out", runDir] : ["train", "--out", runDir, "--resume"];
                using var child = ChildCli.Start(args);
                // "run:" is logged once the data is loaded, after the Ctrl-C handler is installed.
                Assert.True(child.WaitForOutput("run: ", TimeSpan.FromMinutes(2)), "no run: line");
                double delay = scale * rng.NextDouble();
                Thread.Sleep(TimeSpan.FromSeconds(delay));
                string signal = attempt == 1 ? "TERM" : "INT"; // SIGTERM (kill, timeout, Slurm) stops a run like Ctrl-C
                child.Signal(signal);
                Assert.True(child.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop within 2 minutes of Ctrl-C");
                string log = child.Log();
                if (Trainer.IsFinished(runDir))
                {
                    // The run ended before the signal came; a signal during shutdown may still set exit code 130.
                    Assert.True(child.ExitCode is 0 or 130, log);
                    stops.Add($"finished before a signal at {delay:F2} s");
                    break;
                }
                Assert.True(child.ExitCode == 130, log);
                Assert.True(child.Stderr.Contains((signal == "INT" ? "Ctrl-C" : "SIGTERM") + ": stopping at the next step boundary", StringComparison.Ordinal), log);
                Assert.True(child.Stderr.Contains($"Continue with: contrastive train --out {runDir} --resume", StringComparison.Ordinal), log);
                var rejected = new List<string>();
                var checkpoint = new CheckpointStore(runDir).LatestValid(rejected);
                Assert.NotNull(checkpoint);
                Assert.Empty(rejected);
                string where = child.Stderr.Split('\n').First(l => l.StartsWith("interrupted", StringComparison.Ordinal));
                stops.Add($"SIG{signal}: {where.Split(';')[0]} → {checkpoint.Name}");
            }
        }
        output.WriteLine("stops: " + string.Join("; ", stops));
        Assert.Contains(stops, s => s.Contains("interrupted", StringComparison.Ordinal));

        using (var child = ChildCli.Start("train", "--out", runDir, "--resume"))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(3)), "resume did not finish");
            Assert.True(child.ExitCode == 0 && Trainer.IsFinished(runDir), child.Log());
        }
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, RunFiles.Summary)))!.AsObject();
        Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
        var epochs = File.ReadAllLines(Path.Combine(runDir, RunFiles.Metrics)).Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(0, FixtureRunFixture.Config().Epochs + 1).Select(e => (double)e), epochs);
    }

    [Fact]
    public void A_run_stopped_before_its_first_step_records_no_epoch_and_resumes_to_the_uninterrupted_metrics()
    {
        // Cancelled before the loader hands out a batch (Ctrl-C during start-up or the epoch-0 evaluation, or while
        // waiting for a batch): the loader stops early, and that cut-short epoch must not count as trained.
        string dir = Path.Combine(_root, "early");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var stop = Assert.Throws<TrainingStoppedException>(() => Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions { Threads = 2, Cancel = cancel.Token }));
        Assert.True(stop.Interrupted);
        Assert.Contains("interrupted at epoch 1, step 0", stop.Message);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, RunFiles.Metrics)).Skip(1)); // epoch 0 only
        Assert.Equal("interrupted-e0001-b000000", new CheckpointStore(dir).LatestValid()!.Name);

        var summary = Trainer.Run(FixtureRunFixture.Config(), dir, new TrainRunOptions { Threads = 2, Resume = true });
        Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
    }

    [Fact]
    public void A_run_killed_after_its_final_max_steps_checkpoint_resumes_without_training_further()
    {
        var config = FixtureRunFixture.Config() with { MaxSteps = 6 }; // stops in epoch 2 of 3, after 2 of its 4 steps
        var straight = Trainer.Run(config, Path.Combine(_root, "straight"), new TrainRunOptions { Threads = 2 });
        Assert.Equal(6, straight["steps"]!.GetValue<long>());

        // A kill between the final checkpoint and summary.json: the final files are not there yet.
        string dir = Path.Combine(_root, "killed");
        Trainer.Run(config, dir, new TrainRunOptions { Threads = 2 });
        foreach (string file in new[] { RunFiles.Summary, RunFiles.TestEmbeddings, RunFiles.TestLabels, RunFiles.OrderStatistics })
        {
            File.Delete(Path.Combine(dir, file));
        }
        var resumed = Trainer.Run(config, dir, new TrainRunOptions { Threads = 2, Resume = true });
        Assert.Equal(6, resumed["steps"]!.GetValue<long>());
        Assert.Equal(TrainerTests.Deterministic(straight), TrainerTests.Deterministic(resumed));
        Assert.Equal(File.ReadAllLines(Path.Combine(_root, "straight", RunFiles.Metrics)).Length, File.ReadAllLines(Path.Combine(dir, RunFiles.Metrics)).Length);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_root, "straight", RunFiles.TestEmbeddings)), File.ReadAllBytes(Path.Combine(dir, RunFiles.TestEmbeddings)));
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
