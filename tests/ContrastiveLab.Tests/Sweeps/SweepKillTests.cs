using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ContrastiveLab.IO;
using ContrastiveLab.Reports;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Tests.Training;
using ContrastiveLab.Training;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Sweeps;

/// <summary>
/// A sweep survives SIGKILL at any moment: the CLI runs a tiny three-run sweep in a child process, is killed at seeded
/// random moments and rerun with the same command until it finishes, in several rounds, at least
/// <see cref="KillsWanted"/> kills in all. After every kill every file a reader uses parses completely or is absent;
/// at the end of every round the results folder holds each run exactly once, identical to an uninterrupted sweep.
/// </summary>
public sealed class SweepKillTests(ITestOutputHelper output) : IDisposable
{
    private const int KillsWanted = 20;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-sweepkill-" + Guid.NewGuid().ToString("N"));

    /// <summary>Three runs covering the three negative sources, one stopped by max_steps in mid-epoch; about 3 s each.</summary>
    private static string SweepJson(string fixtures) => $$"""
        {
          "name": "kills",
          "base": { "dataset": "fashion-mnist", "data_path": "{{fixtures}}", "batch_size": 4, "epochs": 3,
                    "diagnostic_anchors": 6, "knn_k": 3, "workers": 2, "seed": 3 },
          "grid": [
            { "negatives": "memory-bank", "loss": "contrastive", "tau": 0.2 },
            { "negatives": "in-batch", "loss": "hard", "tau": 0.5 },
            { "negatives": "queue", "loss": "simple", "queue_size": 8, "max_steps": 10 }
          ]
        }
        """;

    [Fact]
    public void A_sweep_killed_at_random_moments_and_rerun_holds_every_run_once_identical_to_an_uninterrupted_sweep()
    {
        Directory.CreateDirectory(_root);
        string sweepFile = Path.Combine(_root, "kills.json");
        File.WriteAllText(sweepFile, SweepJson(Path.Combine(AppContext.BaseDirectory, "Fixtures")));
        var runs = SweepFile.Load(sweepFile).Expand();
        string straight = Path.Combine(_root, "straight");
        var watch = Stopwatch.StartNew();
        using (var child = ChildCli.Start("sweep", sweepFile, "--out", straight))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "the uninterrupted sweep did not finish in 5 minutes");
            Assert.True(child.ExitCode == 0, child.Log());
        }
        double full = watch.Elapsed.TotalSeconds;
        CheckFinal(straight, straight, runs);
        // A rerun of the finished sweep does nothing but start up (.NET, libtorch) and skip every run: the start-up cost
        // that each killed attempt pays again before it can make progress.
        watch.Restart();
        using (var child = ChildCli.Start("sweep", sweepFile, "--out", straight))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(5)), "the rerun of a finished sweep did not end in 5 minutes");
            Assert.True(child.ExitCode == 0, child.Log());
        }
        double startup = watch.Elapsed.TotalSeconds;
        CheckFinal(straight, straight, runs);

        // Kill moments are drawn from half the start-up time plus up to half an uninterrupted sweep's time, so that each
        // round is killed several times, some kills land in start-up, and most let the attempt make progress: the kills
        // fall at every stage of the sweep (start-up, training, evaluation, checkpoints, final files, between runs) as
        // the rerun processes start further along each time. (Drawing from [0, full/2) alone left a quiet machine, where
        // start-up is a large share of a 2.6 s sweep, killing most attempts before they could progress.)
        var rng = new Random(20210607);
        int kills = 0, midRun = 0, leftovers = 0, rounds = 0, finishedByItself = 0;
        var landed = new List<string>();
        while (kills < KillsWanted)
        {
            rounds++;
            // A machine that gets quieter after the timing (another test finished) lets attempts finish before their
            // kill, so a round may end with one kill or none; such rounds are short, and more of them are allowed.
            Assert.True(rounds <= 24, $"only {kills} kills in {rounds - 1} rounds");
            string dir = Path.Combine(_root, $"round{rounds}");
            for (int attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 80, $"round {rounds} did not finish after 80 attempts (start-up {startup:F1} s, sweep {full:F1} s)");
                // The window widens by a tenth of itself with each failed attempt of a round: start-up and sweep were
                // timed once, at the start, and a machine that gets busier afterwards (other tests, other jobs) would
                // otherwise kill every attempt before it progresses.
                double at = (1 + 0.1 * attempt) * (0.5 * startup + full * 0.5 * rng.NextDouble());
                using var child = ChildCli.Start("sweep", sweepFile, "--out", dir);
                if (child.WaitForExit(TimeSpan.FromSeconds(at)))
                {
                    Assert.True(child.ExitCode == 0, child.Log());
                    finishedByItself++;
                    break;
                }
                child.Kill();
                kills++;
                string stdout = child.Stdout;
                string? lastRun = stdout.Split('\n').LastOrDefault(l => l.StartsWith('[') && (l.Contains(": starting (", StringComparison.Ordinal) || l.Contains(": resuming (", StringComparison.Ordinal)));
                if (lastRun is not null)
                {
                    midRun++;
                }
                landed.Add($"{at:F1}s:{(lastRun is null ? "startup" : lastRun[..lastRun.IndexOf(']', StringComparison.Ordinal)].TrimStart('['))}");
                leftovers += CheckEveryFileCompleteOrAbsent(dir, runs);
            }
            CheckFinal(dir, straight, runs);
        }

        string figures = $"uninterrupted sweep {full:F1} s, start-up {startup:F1} s; {kills} SIGKILLs in {rounds} rounds, {midRun} while a run was in progress (the rest in start-up), " +
            $"{leftovers} left a temporary behind (a write cut short) that a reader skipped and the rerun removed; {finishedByItself} reruns finished by themselves";
        output.WriteLine(figures);
        output.WriteLine("kill moments (seconds after start : run i/3 in progress): " + string.Join(", ", landed));
        Assert.True(kills >= KillsWanted);
        Assert.True(midRun >= KillsWanted / 2, figures);
    }

    /// <summary>
    /// The state right after a kill: every file present parses completely (config, environment, metrics, summary, test
    /// embeddings, order statistics, sweep listing); every checkpoint folder validates; a summary implies every final
    /// file; the report reader lists finished runs only. Returns how many temporaries (hidden, skipped by readers) were found.
    /// </summary>
    private static int CheckEveryFileCompleteOrAbsent(string dir, IReadOnlyList<SweepRun> runs)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }
        var names = runs.Select(r => r.Name).ToHashSet();
        foreach (string entry in Directory.EnumerateFileSystemEntries(dir).Select(e => Path.GetFileName(e)!))
        {
            Assert.True(entry == "sweeps" || names.Contains(entry), $"stray entry {entry} in {dir}");
        }
        int temporaries = 0;
        string sweeps = Path.Combine(dir, "sweeps");
        if (Directory.Exists(sweeps))
        {
            foreach (string file in Directory.EnumerateFiles(sweeps))
            {
                string name = Path.GetFileName(file)!;
                if (name.StartsWith('.'))
                {
                    Assert.EndsWith(".tmp", name);
                    temporaries++;
                    continue;
                }
                Assert.Equal("kills.json", name);
                var listing = JsonNode.Parse(File.ReadAllText(file))!;
                Assert.Equal(runs.Select(r => r.Name), listing["runs"]!.AsArray().Select(n => n!.GetValue<string>()));
            }
        }
        int finished = 0;
        foreach (var run in runs)
        {
            string runDir = Path.Combine(dir, run.Name);
            if (!Directory.Exists(runDir))
            {
                continue;
            }
            foreach (string name in Directory.EnumerateFiles(runDir).Select(f => Path.GetFileName(f)!).Where(n => n.StartsWith('.')))
            {
                if (name != RunLock.FileName)
                {
                    Assert.EndsWith(".tmp", name);
                    temporaries++;
                }
            }
            string config = Path.Combine(runDir, RunFiles.Config);
            if (File.Exists(config))
            {
                Assert.Equal(run.Config, TrainConfig.FromJson(File.ReadAllText(config)));
            }
            string environment = Path.Combine(runDir, RunFiles.Environment);
            if (File.Exists(environment))
            {
                Assert.NotNull(JsonNode.Parse(File.ReadAllText(environment))!["seed"]);
            }
            string metrics = Path.Combine(runDir, RunFiles.Metrics);
            if (File.Exists(metrics))
            {
                var epochs = MetricsRows(metrics).Select(r => double.Parse(r[0], CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(Enumerable.Range(0, epochs.Length).Select(e => (double)e), epochs);
            }
            var rejected = new List<string>();
            var store = new CheckpointStore(runDir);
            store.ListValid(rejected);
            Assert.True(rejected.Count == 0, "a checkpoint folder is visible but does not validate: " + string.Join("; ", rejected));
            if (Directory.Exists(store.Directory))
            {
                temporaries += Directory.EnumerateDirectories(store.Directory, ".*").Count();
            }
            foreach (string npy in new[] { RunFiles.TestEmbeddings, RunFiles.TestLabels }.Select(f => Path.Combine(runDir, f)).Where(File.Exists))
            {
                var array = NpyReader.Read(npy);
                Assert.Equal(6, array.Shape[0]); // the fixture's six test images
            }
            string order = Path.Combine(runDir, RunFiles.OrderStatistics);
            if (File.Exists(order))
            {
                var lines = File.ReadAllLines(order);
                Assert.Equal(run.Config.DiagnosticAnchors + 1, lines.Length);
                Assert.All(lines.Skip(1), l => Assert.All(l.Split(','), v => double.Parse(v, CultureInfo.InvariantCulture)));
            }
            string summary = Path.Combine(runDir, RunFiles.Summary);
            if (File.Exists(summary))
            {
                finished++;
                Assert.Equal("finished", JsonNode.Parse(File.ReadAllText(summary))!["status"]!.GetValue<string>());
                Assert.True(File.Exists(Path.Combine(runDir, RunFiles.TestEmbeddings)) && File.Exists(Path.Combine(runDir, RunFiles.TestLabels))
                    && File.Exists(order) && File.Exists(metrics), $"{runDir} has a summary but not every final file");
            }
        }
        var collection = RunFolderReader.ReadAll(dir);
        Assert.Equal(finished, collection.Runs.Count);
        Assert.DoesNotContain(collection.Missing, m => m.Reason.StartsWith("unreadable", StringComparison.Ordinal));
        return temporaries;
    }

    /// <summary>A finished sweep: each run once, no temporaries, identical to <paramref name="straight"/>'s.</summary>
    private static void CheckFinal(string dir, string straight, IReadOnlyList<SweepRun> runs)
    {
        Assert.Equal(runs.Select(r => r.Name).Append("sweeps").Order(StringComparer.Ordinal),
            Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["kills.json"], Directory.EnumerateFiles(Path.Combine(dir, "sweeps")).Select(Path.GetFileName).Where(n => !n!.EndsWith(".tmp", StringComparison.Ordinal)));
        foreach (var run in runs)
        {
            string a = Path.Combine(straight, run.Name), b = Path.Combine(dir, run.Name);
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(b, ".*", SearchOption.AllDirectories), p => Path.GetFileName(p) != RunLock.FileName);
            var rejected = new List<string>();
            Assert.NotNull(new CheckpointStore(b).LatestValid(rejected));
            Assert.Empty(rejected);
            Assert.Equal(TrainerTests.Deterministic(Summary(a)), TrainerTests.Deterministic(Summary(b)));
            Assert.Equal(Summary(a)["steps"]!.GetValue<long>(), Summary(b)["steps"]!.GetValue<long>());
            Assert.Equal(DeterministicRows(Path.Combine(a, RunFiles.Metrics)), DeterministicRows(Path.Combine(b, RunFiles.Metrics)));
            foreach (string file in new[] { RunFiles.TestEmbeddings, RunFiles.TestLabels, RunFiles.OrderStatistics, RunFiles.Config })
            {
                Assert.True(File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, file))), $"{run.Name}/{file} differs from the uninterrupted sweep's");
            }
        }
        var collection = RunFolderReader.ReadAll(dir);
        Assert.Equal(runs.Count, collection.Runs.Count);
        Assert.Empty(collection.Missing);
    }

    private static JsonObject Summary(string runDir) => JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, RunFiles.Summary)))!.AsObject();

    private static List<string[]> MetricsRows(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.True(lines.Length >= 2, $"{path} has no rows");
        int columns = lines[0].Split(',').Length;
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, r =>
        {
            Assert.Equal(columns, r.Length);
            Assert.All(r.Where(v => v.Length > 0), v => double.Parse(v, CultureInfo.InvariantCulture));
        });
        return rows;
    }

    /// <summary>metrics.csv without the wall-clock columns (images_per_s, gflops_per_s), which no two runs share.</summary>
    private static List<string> DeterministicRows(string path)
    {
        string[] header = File.ReadLines(path).First().Split(',');
        int[] clock = [Array.IndexOf(header, "images_per_s"), Array.IndexOf(header, "gflops_per_s")];
        return [.. MetricsRows(path).Select(r => string.Join(',', r.Where((_, i) => !clock.Contains(i))))];
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
