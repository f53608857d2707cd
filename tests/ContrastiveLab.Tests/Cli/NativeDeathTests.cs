using System.Text.Json.Nodes;
using ContrastiveLab.Cli;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Tests.Training;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Cli;

/// <summary>
/// A run that dies by a signal inside libtorch never ends without a word. The CLI trains in a child process that
/// really faults (a SIGFPE from native code, injected on entering a phase) or is killed; the supervising parent must
/// say which signal, in which phase, and how to resume, and record it in the run folder; without the parent, the
/// phase marker left behind must still tell <c>sweep status</c> and the next start where the run died.
/// </summary>
public sealed class NativeDeathTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-death-" + Guid.NewGuid().ToString("N"));

    private string Config()
    {
        Directory.CreateDirectory(_root);
        string file = Path.Combine(_root, "tiny.json");
        File.WriteAllText(file, TrainConfig.ToJson(TrainerTests.Tiny() with { Epochs = 2 }));
        return file;
    }

    [SkippableFact]
    public void A_sigfpe_in_libtorch_is_reported_with_its_phase_and_resume_command_and_the_next_start_says_it()
    {
        Prerequisites.Linux("the injected native fault");
        string config = Config(), runDir = Path.Combine(_root, "run");
        using (var child = ChildCli.StartWith(new Dictionary<string, string?> { [NativePhase.DieVariable] = "8:epoch 2 training" },
            "train", "--config", config, "--out", runDir))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "the run did not end in 5 minutes");
            string log = child.Log();
            Assert.True(child.ExitCode == 128 + 8, log);
            Assert.Contains("error: the run died in libtorch (signal 8, SIGFPE, an arithmetic fault) during epoch 2 training (from global step", child.Stderr);
            Assert.Contains($"Continue with: contrastive --threads 2 train --config {config} --out {runDir} --resume", child.Stderr);
            Assert.Contains("CONTRASTIVE_CONV_GUARD=on", child.Stderr);
        }
        var failure = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, RunFiles.Failure)))!;
        Assert.Equal(8, failure["signal"]!.GetValue<int>());
        Assert.Equal("SIGFPE", failure["signal_name"]!.GetValue<string>());
        Assert.StartsWith("epoch 2 training", failure["phase"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(runDir, NativePhase.FileName)), "the recorded death still leaves its phase marker");
        Assert.Equal("failed", SweepStatus.Of(0, "run", runDir, null).State);
        Assert.Contains("resume: contrastive", SweepStatus.Of(0, "run", runDir, null).Detail);

        using (var resumed = ChildCli.Start("train", "--config", config, "--out", runDir, "--resume"))
        {
            Assert.True(resumed.WaitForExit(TimeSpan.FromMinutes(5)), "the resumed run did not end in 5 minutes");
            Assert.True(resumed.ExitCode == 0, resumed.Log());
            Assert.Contains("the last attempt failed: the run died in libtorch (signal 8, SIGFPE", resumed.Stdout);
        }
        Assert.True(Trainer.IsFinished(runDir));
        Assert.False(File.Exists(Path.Combine(runDir, RunFiles.Failure)), "a finished run still carries its old failure");
    }

    [SkippableFact]
    public void Without_the_supervisor_the_phase_marker_tells_status_and_the_next_start_where_the_run_died()
    {
        Prerequisites.Linux("the injected native fault");
        string config = Config(), runDir = Path.Combine(_root, "run");
        using (var child = ChildCli.StartWith(
            new Dictionary<string, string?> { [NativePhase.DieVariable] = "9:epoch 1 evaluation", [Supervisor.OffVariable] = "1" },
            "train", "--config", config, "--out", runDir))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "the run did not end in 5 minutes");
            Assert.True(child.ExitCode == 128 + 9, child.Log());
        }
        var marker = NativePhase.Read(runDir);
        Assert.NotNull(marker);
        Assert.Equal("epoch 1 evaluation", marker.Phase);
        Assert.False(File.Exists(Path.Combine(runDir, RunFiles.Failure)));
        var state = SweepStatus.Of(0, "run", runDir, null);
        Assert.Equal("failed", state.State);
        Assert.StartsWith("the last run died during epoch 1 evaluation (process ", state.Detail);

        using (var resumed = ChildCli.Start("train", "--config", config, "--out", runDir, "--resume"))
        {
            Assert.True(resumed.WaitForExit(TimeSpan.FromMinutes(5)), "the resumed run did not end in 5 minutes");
            Assert.True(resumed.ExitCode == 0, resumed.Log());
            Assert.Contains("the last attempt died during epoch 1 evaluation (process ", resumed.Stdout);
        }
        Assert.Null(NativePhase.Read(runDir));
    }

    [Fact]
    public void A_run_that_ends_normally_leaves_no_phase_marker_and_an_exception_removes_it()
    {
        string dir = Path.Combine(_root, "phases");
        Directory.CreateDirectory(dir);
        Assert.Throws<InvalidOperationException>(() => FailInside(dir));
        Assert.Null(NativePhase.Read(dir));
    }

    private static void FailInside(string dir)
    {
        using (NativePhase.Enter(dir, "epoch 1 training"))
        {
            Assert.Equal("epoch 1 training", NativePhase.Read(dir)!.Phase);
            throw new InvalidOperationException("a managed failure");
        }
    }

    [Theory]
    [InlineData(new[] { "train", "--out", "r" }, true)]
    [InlineData(new[] { "--threads", "2", "sweep", "--preset", "paper-cifar10", "--out", "r" }, true)]
    [InlineData(new[] { "reproduce" }, true)]
    [InlineData(new[] { "sweep", "status", "r" }, false)]
    [InlineData(new[] { "sweep", "s.json", "--out", "r", "--executor", "slurm" }, false)] // submits; its tasks are supervised where they run
    [InlineData(new[] { "train", "--help" }, false)]
    [InlineData(new[] { "report", "r" }, false)]
    [InlineData(new[] { "train", "--no-such-option" }, false)]
    public void Only_the_training_commands_run_under_the_supervisor(string[] args, bool supervised) =>
        Assert.Equal(supervised && OperatingSystem.IsLinux(), Supervisor.Applies(args));

    [Fact]
    public void The_resume_command_adds_resume_to_train_only_and_quotes_what_a_shell_needs()
    {
        Assert.Equal("contrastive train --out 'my runs/a' --resume", Supervisor.ResumeCommand(["train", "--out", "my runs/a"]));
        Assert.Equal("contrastive train --out r --resume", Supervisor.ResumeCommand(["train", "--out", "r", "--resume"]));
        Assert.Equal("contrastive sweep --preset paper-cifar10 --out r", Supervisor.ResumeCommand(["sweep", "--preset", "paper-cifar10", "--out", "r"]));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
