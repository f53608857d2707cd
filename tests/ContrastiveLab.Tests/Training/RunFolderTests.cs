using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// Which folders a run may go into, and what a refused or finished run leaves behind: a refused command writes
/// nothing (so the corrected command is not refused by its debris), a mistyped --out with --resume does not start a new
/// run silently, a user's own files are never mixed with a run's, and a finished run leaves no lock file.
/// </summary>
[Collection(ReferenceRunCollection.Name)]
public sealed class RunFolderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-runfolder-" + Guid.NewGuid().ToString("N"));

    private static TrainRunOptions Options(bool resume = false) => new() { Resume = resume, Threads = 2 };

    private static TrainConfig Untrained() => TrainerTests.Tiny() with { Epochs = 0 };

    [Fact]
    public void Resume_into_a_folder_that_holds_no_run_is_refused_and_creates_nothing()
    {
        string missing = Path.Combine(_root, "typo");
        var e = Assert.Throws<UserError>(() => Trainer.Run(Untrained(), missing, Options(resume: true)));
        Assert.Contains("--resume", e.Message);
        Assert.Contains("holds no run", e.Message);
        Assert.False(Directory.Exists(missing));

        string empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Assert.Throws<UserError>(() => Trainer.Run(Untrained(), empty, Options(resume: true)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public void Resume_after_a_start_that_died_before_its_config_starts_the_run()
    {
        // Failed with a recorded error before writing its config.
        string failed = Path.Combine(_root, "early-failed");
        RunFailure.Write(failed, "killed while loading");
        Assert.NotNull(Trainer.Run(Untrained(), failed, Options(resume: true))["knn_top1"]);
        Assert.True(Trainer.IsFinished(failed));

        // Killed (SIGKILL) after taking the lock: a stale lock is all that is left.
        string killed = Directory.CreateDirectory(Path.Combine(_root, "early-killed")).FullName;
        File.WriteAllText(Path.Combine(killed, RunLock.FileName), "");
        Assert.NotNull(Trainer.Run(Untrained(), killed, Options(resume: true))["knn_top1"]);
        Assert.True(Trainer.IsFinished(killed));
    }

    [Fact]
    public void A_non_empty_folder_that_is_not_a_run_is_refused_and_left_as_it_was()
    {
        string dir = Directory.CreateDirectory(Path.Combine(_root, "mine")).FullName;
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "my notes");
        var e = Assert.Throws<UserError>(() => Trainer.Run(Untrained(), dir, Options()));
        Assert.Contains("not empty", e.Message);
        Assert.Contains("notes.txt", e.Message);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName));

        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<UserError>(() => Trainer.Run(Untrained(), file, Options())).Message);
    }

    [Fact]
    public void A_batch_larger_than_the_training_set_is_refused_before_the_folder_exists()
    {
        string dir = Path.Combine(_root, "too-big");
        var e = Assert.Throws<UserError>(() => Trainer.Run(TrainerTests.Tiny() with { Epochs = 1, BatchSize = 1024 }, dir, Options()));
        Assert.Contains("exceeds the 200 training images", e.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void A_finished_run_leaves_no_lock_and_resumes_with_another_worker_count()
    {
        string dir = Path.Combine(_root, "done");
        var config = Untrained();
        var summary = Trainer.Run(config, dir, Options());
        // The report's legends read the class names from the summary.
        Assert.Equal("T-shirt/top", summary["class_names"]!.AsArray()[0]!.GetValue<string>());
        // environment.json records the libtorch the build references (Directory.Packages.props), not a literal.
        string props = File.ReadAllText(Path.Combine(ContrastiveLab.Tests.Cli.CliRunner.RepositoryRoot(), "Directory.Packages.props"));
        string referenced = System.Text.RegularExpressions.Regex.Match(props, "<LibTorchVersion>([^<]+)</LibTorchVersion>").Groups[1].Value;
        var environment = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "environment.json")))!;
        Assert.Equal(referenced, environment["libtorch"]!.GetValue<string>());
        // ...and the toolkit's version from Directory.Build.props, with the commit it was built from when git was there.
        string version = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(ContrastiveLab.Tests.Cli.CliRunner.RepositoryRoot(), "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(version)}(\\+[0-9a-f]{{40}})?$", environment["contrastivelab"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir), p => Path.GetFileName(p).StartsWith('.'));

        // Workers changes how fast augmentation runs, never what it produces: the same run, not a "different config".
        var log = new StringWriter();
        Trainer.Run(config with { Workers = 1 }, dir, Options(resume: true) with { Log = log });
        Assert.Contains("nothing to resume", log.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)));
    }

    [Fact]
    public void Piped_train_output_has_one_line_per_epoch_and_no_stale_knn()
    {
        string dir = Path.Combine(_root, "piped");
        string config = Path.Combine(Directory.CreateDirectory(_root).FullName, "every-2.json");
        File.WriteAllText(config, """{ "eval_every": 2 }""");
        // A child process with its output piped, as under `| tee` or a job scheduler.
        using var child = ChildCli.Start("train", "--config", config, "--train-per-class", "20", "--batch-size", "32", "--epochs", "2",
            "--workers", "2", "--out", dir);
        Assert.True(child.WaitForExit(TimeSpan.FromMinutes(10)), "train did not finish: " + child.Log());
        Assert.True(child.ExitCode == 0, child.Log());
        string stdout = child.Stdout;
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines, l => l.StartsWith("epoch 0 (untrained)", StringComparison.Ordinal));
        var first = Assert.Single(lines, l => l.StartsWith("epoch 1/2:", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("epoch 2/2:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("epoch", StringComparison.Ordinal) && !l.StartsWith("epoch 0 (untrained)", StringComparison.Ordinal)
            && !l.StartsWith("epoch 1/2:", StringComparison.Ordinal) && !l.StartsWith("epoch 2/2:", StringComparison.Ordinal));
        // Epoch 1 is not evaluated (eval_every 2): its line has no kNN, not the untrained encoder's.
        Assert.DoesNotContain("kNN", first);
        Assert.Contains("ETA", first);
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
