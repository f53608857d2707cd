using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Data;
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

    public static Command Build()
    {
        var file = new Argument<string?>("FILE") { Description = "sweep file (JSON with comments)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--out") { Description = "results folder (default results/<sweep name>)" };
        var command = new Command("sweep", "Run a sweep's grid of training runs into one results folder (finished runs are skipped, interrupted ones resumed).");
        command.Arguments.Add(file);
        command.Options.Add(Preset);
        command.Options.Add(output);
        command.Options.Add(Set);
        command.Options.Add(List);
        command.SetAction(int (parse) =>
        {
            var sweep = Resolve(parse.GetValue(file), parse.GetValue(Preset));
            string results = parse.GetValue(output) ?? Path.Combine("results", sweep.Name);
            var overrides = ParseOverrides(parse.GetValue(Set) ?? []);
            if (parse.GetValue(List))
            {
                return PrintList(sweep, results, overrides);
            }
            var session = TorchSession.Start(parse, Console.Error);
            return Execute(sweep, results, overrides, session) ? 0 : 1;
        });
        return command;
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

    private static int PrintList(SweepFile sweep, string results, JsonObject overrides)
    {
        IReadOnlyList<SweepRun> runs;
        try
        {
            runs = sweep.Expand(sweep.Name, overrides);
        }
        catch (SweepException e)
        {
            throw new UserError(e.Message);
        }
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
                outcomes = SweepRunner.Run(sweep, results, options with
                {
                    Progress = p =>
                    {
                        if (p.EpochFinished)
                        {
                            string knn = p.KnnTop1 is { } k ? $"{k:P2}" : "–";
                            Console.Out.WriteLine($"  epoch {p.Epoch}/{p.Epochs}: loss {p.Loss:F4} kNN {knn} {p.ImagesPerSecond:F0} img/s");
                        }
                    },
                }, overrides);
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
