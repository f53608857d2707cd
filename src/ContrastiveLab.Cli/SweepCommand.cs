using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Data;
using ContrastiveLab.IO;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Training;
using Spectre.Console;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive sweep</c>: run a sweep file's grid into a results folder, skipping finished runs and resuming interrupted ones.</summary>
public static class SweepCommand
{
    internal static readonly Option<string?> Preset = new("--preset") { Description = "a preset from presets/ (e.g. cpu-quick, paper-cifar10)" };
    internal static readonly Option<string[]> Set = new("--set") { Description = "override a config key for every run, e.g. --set epochs=2 (repeatable)", AllowMultipleArgumentsPerToken = false };
    internal static readonly Option<bool> List = new("--list") { Description = "print the runs and their state without training" };

    internal static readonly Option<string> Executor = new("--executor") { Description = "local: train the runs here, one after another; slurm: submit them as one Slurm job array", DefaultValueFactory = _ => "local" };
    internal static readonly Option<string?> SlurmPartition = new("--slurm-partition") { Description = "Slurm partition for the array tasks" };
    internal static readonly Option<string?> SlurmGres = new("--slurm-gres") { Description = "generic resources per task, e.g. gpu:1" };
    internal static readonly Option<int?> SlurmCpus = new("--slurm-cpus") { Description = "CPUs per task, also each run's --threads (default 1)" };
    internal static readonly Option<string?> SlurmTime = new("--slurm-time") { Description = "time limit per task, HH:MM:SS or D-HH:MM:SS" };
    internal static readonly Option<string?> SlurmExtra = new("--slurm-extra") { Description = "further sbatch options, e.g. \"--account=lab --qos=normal\"" };
    internal static readonly Option<int?> SlurmMaxConcurrent = new("--slurm-max-concurrent") { Description = "at most N tasks at once (the array's %N)" };
    internal static readonly Option<bool> DryRun = new("--dry-run") { Description = "with --executor slurm: print the batch script, write and submit nothing" };
    internal static readonly Option<int?> TaskIndex = new("--task-index") { Description = "train only run N of the sweep (0-based; what each Slurm array task runs)" };

    static SweepCommand()
    {
        Executor.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not ("local" or "slurm") and var value)
            {
                result.AddError($"--executor {value}: expected local or slurm");
            }
        });
    }

    public static Command Build()
    {
        var file = new Argument<string?>("FILE") { Description = "sweep file (JSON with comments)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--out") { Description = "results folder (default results/<sweep name>)" };
        var command = new Command("sweep", "Run a sweep's grid of training runs into one results folder (finished runs are skipped, interrupted ones resumed), here or as a Slurm job array.");
        command.Arguments.Add(file);
        command.Options.Add(Preset);
        command.Options.Add(output);
        command.Options.Add(Set);
        command.Options.Add(List);
        foreach (var option in new Option[] { Executor, SlurmPartition, SlurmGres, SlurmCpus, SlurmTime, SlurmExtra, SlurmMaxConcurrent, DryRun, TaskIndex })
        {
            command.Options.Add(option);
        }
        command.Subcommands.Add(StatusCommand());
        command.SetAction(int (parse) =>
        {
            bool slurm = parse.GetValue(Executor) == "slurm";
            var slurmOptions = SlurmOptionsFrom(parse, slurm);
            int? taskIndex = parse.GetValue(TaskIndex);
            if (taskIndex is not null && (slurm || parse.GetValue(List)))
            {
                throw new UserError("--task-index runs one run here; it does not go with --executor slurm or --list");
            }
            if (parse.GetValue(DryRun) && !slurm)
            {
                throw new UserError("--dry-run goes with --executor slurm (use --list to see the runs and their state)");
            }
            var sweep = Resolve(parse.GetValue(file), parse.GetValue(Preset));
            string results = parse.GetValue(output) ?? Path.Combine("results", sweep.Name);
            var overrides = ParseOverrides(parse.GetValue(Set) ?? []);
            if (parse.GetValue(List))
            {
                return PrintList(sweep, results, overrides);
            }
            if (slurm)
            {
                return SubmitSlurm(sweep, results, overrides, slurmOptions!, parse.GetValue(DryRun), parse.GetValue(GlobalOptions.Device) ?? "auto",
                    parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            }
            if (taskIndex is { } index)
            {
                var runs = Runs(sweep, overrides);
                if (index < 0 || index >= runs.Count)
                {
                    throw new UserError($"--task-index {index}: sweep {sweep.Name} has {runs.Count} runs (indices 0 to {runs.Count - 1})");
                }
                if (Trainer.IsFinished(Path.Combine(results, runs[index].Name)))
                {
                    parse.InvocationConfiguration.Output.WriteLine($"task {index}: {runs[index].Name} had finished before; nothing to do");
                    return 0; // without loading libtorch: a requeued or resubmitted task of a finished run ends at once
                }
                return RunTask(sweep, results, overrides, index, TorchSession.Start(parse, Console.Error));
            }
            var session = TorchSession.Start(parse, Console.Error);
            return Execute(sweep, results, overrides, session) ? 0 : 1;
        });
        return command;
    }

    /// <summary>The Slurm options, validated; null (and none may be given) for the local executor.</summary>
    private static SlurmOptions? SlurmOptionsFrom(ParseResult parse, bool slurm)
    {
        var given = new Option[] { SlurmPartition, SlurmGres, SlurmCpus, SlurmTime, SlurmExtra, SlurmMaxConcurrent }
            .Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray();
        if (!slurm)
        {
            return given.Length > 0 ? throw new UserError($"{given[0]} goes with --executor slurm") : null;
        }
        try
        {
            return new SlurmOptions(parse.GetValue(SlurmPartition), parse.GetValue(SlurmGres), parse.GetValue(SlurmCpus) ?? 1, parse.GetValue(SlurmTime),
                parse.GetValue(SlurmExtra), parse.GetValue(SlurmMaxConcurrent)).Validate();
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary><c>contrastive sweep status RESULTS_DIR</c>.</summary>
    private static Command StatusCommand()
    {
        var results = new Argument<string>("RESULTS_DIR") { Description = "the sweep's results folder" };
        var command = new Command("status", "Each run's state (pending, running, finished, failed, interrupted) from the run folders and, when available, squeue.") { results };
        command.SetAction(int (parse) =>
        {
            string root = parse.GetValue(results)!;
            var output = parse.InvocationConfiguration.Output;
            IReadOnlyList<SweepStatus.SweepState> sweeps;
            bool? squeue = null;
            try
            {
                var queue = SlurmQueue(root, out squeue);
                sweeps = SweepStatus.Read(root, queue);
            }
            catch (SweepException e)
            {
                throw new UserError(e.Message);
            }
            foreach (var sweep in sweeps)
            {
                var counts = sweep.Runs.GroupBy(r => r.State).Select(g => $"{g.Count()} {g.Key}");
                output.WriteLine($"sweep {sweep.Name}: {sweep.Runs.Count} runs: {string.Join(", ", counts)}");
                foreach (var run in sweep.Runs)
                {
                    output.WriteLine($"  {run.State,-12} {run.Index,4}  {run.Name}{(run.Detail.Length > 0 ? "  " + run.Detail : "")}");
                }
            }
            if (squeue == false)
            {
                output.WriteLine("(squeue not available or not answering: states come from the run folders alone)");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// What squeue says of the jobs recorded for each sweep under <paramref name="root"/>, keyed by sweep and run
    /// name; <paramref name="available"/>: null when no job was ever submitted there, else whether squeue answered.
    /// </summary>
    private static Func<string, string, (string State, string Task)?>? SlurmQueue(string root, out bool? available)
    {
        available = null;
        string listings = Path.Combine(root, "sweeps");
        if (!Directory.Exists(listings))
        {
            return null;
        }
        var byRun = new Dictionary<(string Sweep, string Run), (string State, string Task)>();
        foreach (string sweepName in Directory.GetFiles(listings, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>())
        {
            var submissions = SlurmClient.Submissions(root, sweepName);
            if (submissions.Count == 0)
            {
                continue;
            }
            var tasks = SlurmClient.Queue([.. submissions.Select(s => s.JobId)]);
            available = tasks is not null;
            if (tasks is null)
            {
                return null;
            }
            foreach (var submission in submissions)
            {
                IReadOnlyList<SweepRun> runs;
                try
                {
                    runs = SweepFile.Load(submission.SweepFile).Expand();
                }
                catch (SweepException)
                {
                    continue; // the job's sweep file is gone: its tasks cannot be told apart
                }
                foreach (var task in tasks.Where(t => t.JobId == submission.JobId && t.TaskId < runs.Count))
                {
                    byRun[(sweepName, runs[task.TaskId].Name)] = (task.State, $"{task.JobId}_{task.TaskId}");
                }
            }
        }
        return (sweep, run) => byRun.TryGetValue((sweep, run), out var t) ? t : null;
    }

    /// <summary>Writes the resolved sweep file and the batch script, then submits it (or, for a dry run, prints the script).</summary>
    internal static int SubmitSlurm(SweepFile sweep, string results, JsonObject overrides, SlurmOptions options, bool dryRun, string device, TextWriter output, TextWriter error)
    {
        IReadOnlyList<SweepRun> runs;
        string resolved;
        try
        {
            runs = sweep.Expand(sweep.Name, overrides);
            resolved = sweep.ToResolvedJson(overrides);
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
        string root = Path.GetFullPath(results);
        string slurmDir = Path.Combine(root, "slurm");
        // Runs that an earlier job of this sweep still has queued or running are not submitted twice.
        var queue = SlurmQueue(root, out _);
        var active = Enumerable.Range(0, runs.Count).Where(i => queue?.Invoke(sweep.Name, runs[i].Name) is not null).ToHashSet();
        var unfinished = Enumerable.Range(0, runs.Count).Where(i => !active.Contains(i) && !Trainer.IsFinished(Path.Combine(root, runs[i].Name))).ToArray();
        if (unfinished.Length == 0)
        {
            output.WriteLine(active.Count == 0
                ? $"sweep {sweep.Name}: all {runs.Count} runs in {root} have finished; nothing to submit"
                : $"sweep {sweep.Name}: {active.Count} runs are already queued or running in Slurm, the other {runs.Count - active.Count} have finished; nothing to submit");
            return 0;
        }
        if (active.Count > 0)
        {
            error.WriteLine($"{active.Count} runs already queued or running in Slurm are left out");
        }
        // The resolved file is named by its content: tasks of an earlier submission with other overrides keep reading theirs.
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(resolved)))[..8].ToLowerInvariant();
        string sweepFile = Path.Combine(slurmDir, $"{sweep.Name}-{hash}.sweep.json");
        string script;
        try
        {
            script = SlurmScript.Build(new SlurmScript.Inputs(sweep.Name, unfinished, CliCommand(), sweepFile, root, slurmDir,
                Path.GetFullPath(Directory.GetCurrentDirectory()), device, options));
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
        if (dryRun)
        {
            output.Write(script);
            error.WriteLine($"dry run: {unfinished.Length} of {runs.Count} runs would be submitted; nothing written or submitted");
            return 0;
        }
        Directory.CreateDirectory(slurmDir);
        AtomicFile.WriteAllText(sweepFile, resolved);
        string scriptPath = Path.Combine(slurmDir, sweep.Name + ".sbatch");
        AtomicFile.WriteAllText(scriptPath, script);
        SweepRunner.WriteListing(sweep, runs, root);
        string job;
        try
        {
            job = SlurmClient.Submit(scriptPath);
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
        SlurmClient.Record(root, sweep.Name, new SlurmClient.Submission(job, sweepFile, DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        output.WriteLine(job);
        error.WriteLine($"submitted job {job}: {unfinished.Length} of {runs.Count} runs of sweep {sweep.Name} (array {SlurmScript.Ranges(unfinished)}); " +
            $"{runs.Count - unfinished.Length} finished before. Watch: contrastive sweep status {SlurmScript.Quote(root)}");
        return 0;
    }

    /// <summary>The command that started this CLI: its apphost, or the dotnet host with <c>exec</c> and contrastive.dll.</summary>
    internal static IReadOnlyList<string> CliCommand()
    {
        string dll = Path.GetFullPath(typeof(SweepCommand).Assembly.Location);
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == Path.GetFileNameWithoutExtension(dll))
        {
            return [process];
        }
        string host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
            : "dotnet";
        return [host, "exec", dll];
    }

    /// <summary>Trains run <paramref name="index"/> of the sweep: one Slurm array task. SIGTERM stops it at a checkpoint.</summary>
    internal static int RunTask(SweepFile sweep, string results, JsonObject overrides, int index, TorchSession session)
    {
        using var cancel = new CtrlCCancellation();
        var options = new TrainRunOptions
        {
            Device = session.Device, Threads = session.Threads, Log = Console.Out, Cancel = cancel.Token, Download = null,
            LockWait = TimeSpan.FromSeconds(10), // the trainer's log (Console.Out) prints one line per epoch
        };
        try
        {
            var outcome = SweepRunner.RunTask(sweep, results, index, options, overrides);
            Console.Out.WriteLine($"task {index}: {outcome.Name} {(outcome.State == "skipped" ? "had finished before" : $"finished in {outcome.Seconds:F0} s")}");
            return 0;
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or TrainingStoppedException { Interrupted: true })
        {
            throw new TrainingStoppedException($"task {index} stopped (SIGTERM or Ctrl-C); submit the sweep again (or let Slurm requeue the task) to resume it from its last checkpoint", interrupted: true);
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message.Split('\n')[0]);
        }
    }

    /// <summary>The sweep named by a file or a preset (exactly one).</summary>
    internal static SweepFile Resolve(string? file, string? preset)
    {
        try
        {
            return (file, preset) switch
            {
                (not null, not null) => throw new UserError("give a sweep FILE or --preset, not both"),
                (not null, null) => SweepFile.Load(file),
                (null, not null) => SweepPresets.Get(preset),
                _ => SweepPresets.Get(SweepPresets.Default),
            };
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>Parses <c>key=value</c> overrides; values are JSON (numbers, true/false, null) or plain strings.</summary>
    internal static JsonObject ParseOverrides(IEnumerable<string> pairs)
    {
        var result = new JsonObject();
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UserError($"--set {pair}: expected key=value");
            }
            string key = pair[..eq].Replace('-', '_');
            if (!SweepFile.ConfigKeys.Contains(key))
            {
                string? guess = SweepFile.Suggest(key, SweepFile.ConfigKeys);
                throw new UserError($"--set {pair}: unknown config key '{key}'" + (guess is null ? "" : $"; did you mean '{guess}'?"));
            }
            string raw = pair[(eq + 1)..];
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(raw);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(raw);
            }
            result[key] = value;
        }
        return result;
    }

    /// <summary>The sweep's runs; a bad override is the user's mistake.</summary>
    private static IReadOnlyList<SweepRun> Runs(SweepFile sweep, JsonObject overrides)
    {
        try
        {
            return sweep.Expand(sweep.Name, overrides);
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
    }

    private static int PrintList(SweepFile sweep, string results, JsonObject overrides)
    {
        var runs = Runs(sweep, overrides);
        foreach (var run in runs)
        {
            string dir = Path.Combine(results, run.Name);
            string state = Trainer.IsFinished(dir) ? "finished" : new CheckpointStore(dir).LatestValid() is not null ? "interrupted" : "pending";
            Console.Out.WriteLine($"{state,-12} {run.Name}");
        }
        return 0;
    }

    /// <summary>Runs the sweep with progress output; returns false when a run failed.</summary>
    internal static bool Execute(SweepFile sweep, string results, JsonObject overrides, TorchSession session)
    {
        using var cancel = new CtrlCCancellation();
        var options = new TrainRunOptions { Device = session.Device, Threads = session.Threads, Log = Console.Out, Cancel = cancel.Token, Download = ConsoleDownload.Run };
        try
        {
            Console.Out.WriteLine($"sweep {sweep.Name} → {results}");
            IReadOnlyList<SweepRunner.Outcome> outcomes;
            bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (interactive)
            {
                outcomes = [];
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var runsTask = ctx.AddTask("runs");
                        var runTask = ctx.AddTask("run");
                        outcomes = SweepRunner.Run(sweep, results, options with
                        {
                            Log = TextWriter.Null,
                            Progress = p =>
                            {
                                runTask.MaxValue = Math.Max(1, p.Epochs);
                                runTask.Value = p.Epoch - 1 + (double)p.Step / Math.Max(1, p.StepsPerEpoch);
                                string knn = p.KnnTop1 is { } k ? $"{k:P1}" : "–";
                                runTask.Description = Markup.Escape($"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F3} kNN {knn} {p.ImagesPerSecond:F0} img/s");
                            },
                        }, overrides, (i, n, run) =>
                        {
                            runsTask.MaxValue = n;
                            runsTask.Value = i;
                            runsTask.Description = Markup.Escape($"run {i + 1}/{n} {run.Name}");
                        });
                        runsTask.Value = runsTask.MaxValue;
                    });
            }
            else
            {
                outcomes = SweepRunner.Run(sweep, results, options, overrides); // the trainer's log prints one line per epoch
            }
            int failed = outcomes.Count(o => o.State == "failed");
            Console.Out.WriteLine($"sweep {sweep.Name}: {outcomes.Count(o => o.State == "finished")} trained, {outcomes.Count(o => o.State == "skipped")} already finished, {failed} failed");
            foreach (var o in outcomes.Where(o => o.State == "failed"))
            {
                Console.Error.WriteLine($"failed: {o.Name}: {o.Error}");
            }
            return failed == 0;
        }
        catch (OperationCanceledException)
        {
            throw new TrainingStoppedException($"sweep interrupted; run the same command again to continue it", interrupted: true);
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
    }
}
