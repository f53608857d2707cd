using System.Globalization;
using System.Text.Json.Nodes;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// The exact-resume promise against real process death: the CLI trains in a child process, is killed with SIGKILL at
/// seeded random moments, is resumed each time, and must end with the same metrics as an uninterrupted run.
/// </summary>
[Collection(ReferenceRunCollection.Name)]
public sealed class SigkillResumeTests(ReferenceRunFixture reference) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-sigkill-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_cli_run_killed_with_sigkill_three_times_and_resumed_ends_with_the_uninterrupted_metrics()
    {
        Directory.CreateDirectory(_root);
        string configFile = Path.Combine(_root, "tiny.json");
        File.WriteAllText(configFile, TrainConfig.ToJson(ReferenceRunFixture.Config));
        var rng = new Random(20210601);
        var kills = new List<string>();
        string runDir = "";
        // The child also starts .NET and libtorch, so a fraction of the in-process time lands anywhere from before the
        // first step to the last epoch's evaluation and checkpoint. The in-process time was measured under another
        // load than the child runs under; a series whose first child finishes before its kill starts again in a fresh
        // folder with the time scale halved, so the test always kills at least once.
        for (int series = 0; !kills.Any(k => k.StartsWith("killed", StringComparison.Ordinal)); series++)
        {
            Assert.True(series < 5, "no child could be killed before it finished: " + string.Join("; ", kills));
            runDir = Path.Combine(_root, $"killed{series}");
            double scale = reference.Seconds * Math.Pow(0.5, series);
            for (int attempt = 0; attempt < 3; attempt++)
            {
                double at = scale * (0.2 + 0.6 * rng.NextDouble());
                var (exited, log) = RunCli(configFile, runDir, TimeSpan.FromSeconds(at));
                kills.Add(exited ? $"finished before {at:F1} s" : $"killed at {at:F1} s");
                if (exited)
                {
                    Assert.True(Trainer.IsFinished(runDir), log);
                    break;
                }
            }
        }
        if (!Trainer.IsFinished(runDir))
        {
            var (exited, log) = RunCli(configFile, runDir, TimeSpan.FromMinutes(3));
            Assert.True(exited && Trainer.IsFinished(runDir), log);
        }

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, RunFiles.Summary)))!.AsObject();
        Assert.True(kills.Count(k => k.StartsWith("killed", StringComparison.Ordinal)) >= 1, string.Join("; ", kills));
        Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
        var epochs = File.ReadAllLines(Path.Combine(runDir, RunFiles.Metrics)).Skip(1)
            .Select(line => double.Parse(line.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(Enumerable.Range(0, ReferenceRunFixture.Config.Epochs + 1).Select(e => (double)e), epochs);
    }

    /// <summary>
    /// Runs <c>contrastive train</c> (with --resume once the folder exists) as a child process; kills it with SIGKILL after <paramref name="after"/>.
    /// Returns whether it exited by itself, and its output for failure messages.
    /// </summary>
    private static (bool Exited, string Log) RunCli(string configFile, string runDir, TimeSpan after)
    {
        // --resume only once a start has made the folder: resuming a folder that does not exist is refused.
        string[] args = ["train", "--config", configFile, "--out", runDir];
        using var child = ChildCli.Start(Directory.Exists(runDir) ? [.. args, "--resume"] : args);
        bool exited = child.WaitForExit(after);
        if (!exited)
        {
            child.Kill(); // SIGKILL on Linux: no handler runs, no checkpoint is written on the way out
        }
        string log = child.Log();
        if (exited)
        {
            Assert.True(child.ExitCode == 0, log);
        }
        return (exited, log);
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
