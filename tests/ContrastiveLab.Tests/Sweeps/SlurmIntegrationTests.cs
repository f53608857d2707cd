using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Tests.Training;
using ContrastiveLab.Training;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Sweeps;

/// <summary>
/// A sweep as a real Slurm job array: a private one-node cluster on localhost (munged, slurmctld, slurmd started
/// by slurm/start-cluster.sh in a temp folder, on free ports), a tiny three-run sweep submitted through the CLI,
/// one task cancelled with scancel mid-run, the sweep submitted again; every run must finish exactly once with the
/// numbers a local sweep of the same file gives. Skips, saying why, where Slurm is missing or cannot start.
/// </summary>
public sealed class SlurmIntegrationTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(150);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-slurm-" + Guid.NewGuid().ToString("N"));
    private string? _cluster;

    // Run 1 is the one cancelled mid-run: it trains three times as many epochs as the others, so on a quiet machine it
    // cannot finish between its first checkpoint and the scancel.
    private const string SweepJson = """
        {
          "name": "tiny-slurm",
          "base": { "train_per_class": 10, "batch_size": 25, "epochs": 4, "diagnostic_anchors": 20, "knn_k": 5, "workers": 1 },
          "grid": [ { "loss": "contrastive", "tau": 0.2 }, { "loss": "contrastive", "tau": 0.5, "epochs": 12 }, { "loss": "simple" } ],
        }
        """;

    [SkippableFact]
    public void A_sweep_runs_as_a_job_array_survives_scancel_and_a_resubmission_finishes_each_run_once_with_the_local_results()
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(_root);
        StartCluster();
        string sweepFile = Path.Combine(_root, "tiny.json");
        File.WriteAllText(sweepFile, SweepJson);
        var runs = SweepFile.Load(sweepFile).Expand();
        Assert.Equal(3, runs.Count);
        string results = Path.Combine(_root, "results on the cluster"); // a space: paths must be quoted in the script
        string slurmDir = Path.Combine(results, "slurm");

        // Submit: all three runs, at most two at once (the node has two CPUs, each task takes one).
        string[] submit = ["--threads", "1", "sweep", sweepFile, "--out", results, "--executor", "slurm", "--slurm-cpus", "1", "--slurm-max-concurrent", "2"];
        var first = Cli(submit);
        Assert.True(first.Code == 0, first.Log);
        string job1 = first.Stdout.Trim();
        Assert.Matches("^[0-9]+$", job1);
        Assert.Contains("#SBATCH --array=0-2%2", File.ReadAllText(Path.Combine(slurmDir, "tiny-slurm.sbatch")));
        var twice = Cli(submit); // while job 1 holds every run, submitting again adds nothing
        Assert.True(twice.Code == 0, twice.Log);
        Assert.Contains("3 runs are already queued or running in Slurm", twice.Stdout);

        // Cancel task 1 once it has written a checkpoint and before it finishes.
        string victim = Path.Combine(results, runs[1].Name);
        Assert.True(WaitFor(() => Trainer.IsFinished(victim) || new CheckpointStore(victim).LatestValid() is not null),
            $"task 1 wrote no checkpoint within {Patience.TotalSeconds} s\n{Logs(slurmDir)}");
        Assert.False(Trainer.IsFinished(victim), $"run 1 finished before it could be cancelled; the runs are too short for this machine\n{Logs(slurmDir)}");
        var cancel = Tool("scancel", $"{job1}_1");
        Assert.True(cancel.Code == 0, cancel.Log);
        Assert.True(WaitFor(() => !Queued(job1)), $"job {job1} still queued after {Patience.TotalSeconds} s\n{Logs(slurmDir)}");

        string cancelledLog = File.ReadAllText(Path.Combine(slurmDir, $"{job1}_1.out"));
        Assert.Contains("SIGTERM: stopping at the next step boundary", cancelledLog);
        Assert.False(Trainer.IsFinished(victim), "a cancelled task left a summary.json behind\n" + cancelledLog);
        Assert.True(Trainer.IsFinished(Path.Combine(results, runs[0].Name)), Logs(slurmDir));
        Assert.True(Trainer.IsFinished(Path.Combine(results, runs[2].Name)), Logs(slurmDir));
        var status = Cli("sweep", "status", results);
        Assert.True(status.Code == 0, status.Log);
        Assert.Matches(@"interrupted\s+1\s+" + runs[1].Name, status.Stdout);
        Assert.Contains("2 finished", status.Stdout);

        // Submit the same command again: only the cancelled run goes into the array, and it resumes.
        var second = Cli(submit);
        Assert.True(second.Code == 0, second.Log);
        string job2 = second.Stdout.Trim();
        Assert.Contains("#SBATCH --array=1%2", File.ReadAllText(Path.Combine(slurmDir, "tiny-slurm.sbatch")));
        var requeued = Cli("sweep", "status", results);
        Assert.Matches(@"(pending|running)\s+1\s+" + runs[1].Name + $@"\s+.*slurm task {job2}_1", requeued.Stdout);
        Assert.True(WaitFor(() => !Queued(job2)), $"job {job2} still queued after {Patience.TotalSeconds} s\n{Logs(slurmDir)}");
        string resumedLog = File.ReadAllText(Path.Combine(slurmDir, $"{job2}_1.out"));
        Assert.Contains($"{runs[1].Name}: resuming", resumedLog);
        Assert.Equal(["0", "1", "2"], Directory.GetFiles(slurmDir, $"{job1}_*.out").Select(f => Path.GetFileNameWithoutExtension(f).Split('_')[1]).Order());
        Assert.Single(Directory.GetFiles(slurmDir, $"{job2}_*.out"));

        // Every run finished exactly once: one "finished in" line per run over all task logs.
        string allLogs = string.Join('\n', Directory.GetFiles(slurmDir, "*.out").Select(File.ReadAllText));
        foreach (var run in runs)
        {
            Assert.True(Trainer.IsFinished(Path.Combine(results, run.Name)), allLogs);
            Assert.Equal(1, allLogs.Split('\n').Count(l => l.Contains($"{run.Name} finished in", StringComparison.Ordinal)));
        }
        var done = Cli("sweep", "status", results);
        Assert.Contains("3 runs: 3 finished", done.Stdout);
        var nothing = Cli(submit);
        Assert.True(nothing.Code == 0, nothing.Log);
        Assert.Contains("nothing to submit", nothing.Stdout);

        // The same numbers as a local sweep of the same file with the same thread count.
        string local = Path.Combine(_root, "local");
        var reference = Cli("--threads", "1", "sweep", sweepFile, "--out", local);
        Assert.True(reference.Code == 0, reference.Log);
        foreach (var run in runs)
        {
            var onCluster = Summary(Path.Combine(results, run.Name));
            var here = Summary(Path.Combine(local, run.Name));
            Assert.Equal(TrainerTests.Deterministic(here), TrainerTests.Deterministic(onCluster));
            Assert.Equal(File.ReadAllLines(Path.Combine(local, run.Name, RunFiles.Metrics)).Length,
                File.ReadAllLines(Path.Combine(results, run.Name, RunFiles.Metrics)).Length);
        }
        output.WriteLine($"slurm: jobs {job1} (3 tasks, task 1 cancelled) and {job2} (1 task, resumed); {watch.Elapsed.TotalSeconds:F0} s in all");
    }

    private static JsonObject Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, RunFiles.Summary)))!.AsObject();

    /// <summary>Starts the cluster. Skips the test when a prerequisite is missing (exit 3), fails it when the cluster does not come up.</summary>
    private void StartCluster()
    {
        Prerequisites.Linux("the local Slurm cluster");
        string script = Path.Combine(AppContext.BaseDirectory, "Sweeps", "slurm", "start-cluster.sh");
        Assert.True(File.Exists(script), $"{script} is missing: the test project copies Sweeps/slurm/*.sh to its output");
        _cluster = Path.Combine(_root, "cluster");
        var (ctld, slurmd) = (FreePort(), FreePort());
        var start = Tool("bash", script, _cluster, ctld.ToString(CultureInfo.InvariantCulture), slurmd.ToString(CultureInfo.InvariantCulture));
        string why = start.Stdout.Trim().Split('\n')[^1];
        Skip.If(start.Code == 3, $"{why}. Install: apt-get install -y slurmctld slurmd slurm-client munge, and run as root (bash .ci/run does both)");
        Assert.True(start.Code == 0, why.Length > 0 ? why : $"start-cluster.sh exited with {start.Code}: {start.Stderr.Trim()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True while squeue lists any task of <paramref name="job"/>.</summary>
    private bool Queued(string job)
    {
        var q = Tool("squeue", "--noheader", "--array", "--jobs", job, "--format", "%i");
        return q.Code == 0 && q.Stdout.Trim().Length > 0;
    }

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(200);
        }
        return condition();
    }

    private static string Logs(string slurmDir) => Directory.Exists(slurmDir)
        ? string.Join('\n', Directory.GetFiles(slurmDir, "*.out").Order().Select(f => $"== {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
        : "(no task logs)";

    /// <summary>The CLI in a child process, as a user (and Slurm) starts it: dotnet exec contrastive.dll.</summary>
    private (int Code, string Stdout, string Stderr, string Log) Cli(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "contrastive.dll");
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return Tool(host, ["exec", cli, .. args]);
    }

    private (int Code, string Stdout, string Stderr, string Log) Tool(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _root };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        if (_cluster is not null)
        {
            start.Environment["SLURM_CONF"] = Path.Combine(_cluster, "slurm.conf");
        }
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") + ":/usr/sbin:/sbin";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        string log = $"{tool} {string.Join(' ', args)}: exit {process.ExitCode}\n{stdout.Result}\n{stderr.Result}";
        return (process.ExitCode, stdout.Result, stderr.Result, log);
    }

    public void Dispose()
    {
        if (_cluster is not null)
        {
            string stop = Path.Combine(AppContext.BaseDirectory, "Sweeps", "slurm", "stop-cluster.sh");
            Tool("bash", stop, _cluster);
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
