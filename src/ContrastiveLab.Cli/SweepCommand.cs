using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
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
                var queue = SlurmSubmission.QueueByRun(root, out squeue);
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

    /// <summary>Writes the resolved sweep file and the batch script, then submits it (or, for a dry run, prints the script).</summary>
    internal static int SubmitSlurm(SweepFile sweep, string results, JsonObject overrides, SlurmOptions options, bool dryRun, string device, TextWriter output, TextWriter error)
    {
        try
        {
            SlurmSubmission.Submit(sweep, results, overrides, options, dryRun, device, CliCommand(), Path.GetFullPath(Directory.GetCurrentDirectory()), output, error);
            return 0;
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
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
            Console.Out.WriteLine($"task {index}: {outcome.Name} {(outcome.State == SweepRunner.RunOutcome.Skipped ? "had finished before" : $"finished in {outcome.Seconds:F0} s")}");
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
                string? guess = Core.Spelling.Suggest(key, SweepFile.ConfigKeys);
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
            var outcomes = !ProgressDisplay.Interactive
                ? SweepRunner.Run(sweep, results, options, overrides) // the trainer's log prints one line per epoch
                : ProgressDisplay.Show(ctx =>
                {
                    var runsBar = ctx.AddTask("runs");
                    var runBar = ctx.AddTask("run");
                    Action<TrainProgress> progress = _ => { };
                    var result = SweepRunner.Run(sweep, results, options with { Log = TextWriter.Null, Progress = p => progress(p) }, overrides, (i, n, run) =>
                    {
                        runsBar.MaxValue = n;
                        runsBar.Value = i;
                        runsBar.Description = Markup.Escape($"run {i + 1}/{n} {run.Name}");
                        progress = ProgressDisplay.RunBar(runBar); // a fresh description per run: no kNN carried over
                    });
                    runsBar.Value = runsBar.MaxValue;
                    return result;
                });
            int failed = outcomes.Count(o => o.State == SweepRunner.RunOutcome.Failed);
            Console.Out.WriteLine($"sweep {sweep.Name}: {outcomes.Count(o => o.State == SweepRunner.RunOutcome.Finished)} trained, {outcomes.Count(o => o.State == SweepRunner.RunOutcome.Skipped)} already finished, {failed} failed");
            foreach (var o in outcomes.Where(o => o.State == SweepRunner.RunOutcome.Failed))
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
