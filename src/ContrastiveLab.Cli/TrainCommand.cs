using System.CommandLine;
using System.Text.Json;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;
using Spectre.Console;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive train</c>: one run of the paper's protocol (or SimCLR/MoCo negatives) into a run folder.</summary>
public static class TrainCommand
{
    private static readonly Option<string?> ConfigFile = new("--config") { Description = "JSON config (snake_case keys as in a run's config.json); options below override it" };
    private static readonly Option<string?> Dataset = new("--dataset") { Description = "dataset name (default: the bundled fashion-mnist-subset)" };
    private static readonly Option<string?> DataPath = new("--data-path", "--path") { Description = "the dataset's file or folder" };
    private static readonly Option<string?> DataDir = new("--data-dir") { Description = "folder searched for datasets (default: the per-user cache)" };
    private static readonly Option<int?> TrainPerClass = new("--train-per-class") { Description = "use only the first N training images of each class" };
    private static readonly Option<string?> Model = new("--model") { Description = "small-cnn | resnet18-cifar | resnet50-cifar | resnet50" };
    private static readonly Option<string?> Head = new("--head") { Description = "linear (the paper) | mlp" };
    private static readonly Option<string?> NegativeSource = new("--negatives") { Description = "memory-bank (the paper) | in-batch | queue" };
    private static readonly Option<string?> Loss = new("--loss") { Description = "contrastive | simple | hard | hard-simple | single" };
    private static readonly Option<double?> Tau = new("--tau") { Description = "temperature τ (default 0.2)" };
    private static readonly Option<int?> HardK = new("--hard-k") { Description = "hardest negatives K for hard losses (default min(4095, available))" };
    private static readonly Option<double?> HardAlpha = new("--hard-alpha") { Description = "hardest fraction α for hard losses, instead of K" };
    private static readonly Option<bool?> AuthorsVariant = new("--authors-variant") { Description = "follow the authors' code for simple/hard-simple" };
    private static readonly Option<string?> Augmentation = new("--augmentation") { Description = "augmentation preset (default: the dataset's)" };
    private static readonly Option<int?> Epochs = new("--epochs") { Description = "epochs (0 evaluates the untrained encoder)" };
    private static readonly Option<int?> BatchSize = new("--batch-size") { Description = "images per step" };
    private static readonly Option<double?> Lr = new("--lr") { Description = "base learning rate" };
    private static readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "SGD weight decay" };
    private static readonly Option<string?> Schedule = new("--schedule") { Description = "cosine | step (the paper's ×0.1 at 80% and 95%)" };
    private static readonly Option<long?> Seed = new("--seed") { Description = "seed of every random choice" };
    private static readonly Option<int?> Workers = new("--workers") { Description = "augmentation threads (0: one per core)" };
    private static readonly Option<int?> CheckpointEvery = new("--checkpoint-every") { Description = "epochs between checkpoints" };
    private static readonly Option<int?> EvalEvery = new("--eval-every") { Description = "epochs between kNN evaluations (the last epoch is always evaluated)" };
    private static readonly Option<int?> MaxSteps = new("--max-steps") { Description = "stop after this many steps (smoke tests)" };
    private static readonly Option<string> Out = new("--out") { Description = "run folder", DefaultValueFactory = _ => Path.Combine("runs", "default") };
    private static readonly Option<bool> Resume = new("--resume") { Description = "continue the run in --out from its newest valid checkpoint" };
    private static readonly Option<bool> PrintConfig = new("--print-config") { Description = "print the fully resolved config as JSON (defaults, --config file and options) and exit without training" };

    public static Command Build()
    {
        var command = new Command("train", "Train an encoder into a run folder (config.json, metrics.csv, summary.json, checkpoints, TensorBoard events).");
        var defaults = System.Text.Json.Nodes.JsonNode.Parse(TrainConfig.ToJson(new TrainConfig()))!.AsObject();
        foreach (var o in new Option[] { ConfigFile, Dataset, DataPath, DataDir, TrainPerClass, Model, Head, NegativeSource, Loss, Tau, HardK, HardAlpha, AuthorsVariant,
            Augmentation, Epochs, BatchSize, Lr, WeightDecay, Schedule, Seed, Workers, CheckpointEvery, EvalEvery, MaxSteps, Out, Resume, PrintConfig })
        {
            // Each config option's help shows the config's default (the options themselves default to "not given").
            string key = o.Name.TrimStart('-').Replace('-', '_');
            if (defaults[key] is { } value && !(o.Description ?? "").Contains("(default", StringComparison.Ordinal))
            {
                o.Description += $" (default {(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString())})";
            }
            command.Options.Add(o);
        }
        command.SetAction(int (parse) =>
        {
            string outDir = parse.GetValue(Out)!;
            var config = ResolveConfig(parse, outDir);
            if (parse.GetValue(PrintConfig))
            {
                // The config a run started with these arguments would record in its config.json.
                parse.InvocationConfiguration.Output.WriteLine(TrainConfig.ToJson(config));
                return 0;
            }
            var session = TorchSession.Start(parse, Console.Error);
            return RunWithConsole(config, outDir, parse.GetValue(Resume), session);
        });
        return command;
    }

    /// <summary>The config a train invocation means: the resumed run's own config, or file + options, validated.</summary>
    internal static TrainConfig ResolveConfig(ParseResult parse, string outDir)
    {
        string saved = Path.Combine(outDir, Trainer.ConfigFile);
        TrainConfig config;
        if (parse.GetValue(Resume) && File.Exists(saved) && parse.GetValue(ConfigFile) is null)
        {
            config = ReadConfig(saved);
        }
        else
        {
            config = parse.GetValue(ConfigFile) is { } file ? ReadConfig(file) : new TrainConfig();
        }
        config = Override(config, parse);
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
    }

    internal static TrainConfig ReadConfig(string path)
    {
        if (!File.Exists(path))
        {
            throw new UserError($"{path}: config file not found");
        }
        try
        {
            return TrainConfig.FromJson(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new UserError($"{path}: {e.Message.Split('\n')[0]}");
        }
    }

    private static TrainConfig Override(TrainConfig c, ParseResult p) => c with
    {
        Dataset = p.GetValue(Dataset) ?? c.Dataset,
        DataPath = p.GetValue(DataPath) ?? c.DataPath,
        DataDir = p.GetValue(DataDir) ?? c.DataDir,
        TrainPerClass = p.GetValue(TrainPerClass) ?? c.TrainPerClass,
        Model = p.GetValue(Model) ?? c.Model,
        Head = p.GetValue(Head) ?? c.Head,
        Negatives = p.GetValue(NegativeSource) ?? c.Negatives,
        Loss = p.GetValue(Loss) ?? c.Loss,
        Tau = p.GetValue(Tau) ?? c.Tau,
        HardK = p.GetValue(HardK) ?? c.HardK,
        HardAlpha = p.GetValue(HardAlpha) ?? c.HardAlpha,
        AuthorsVariant = p.GetValue(AuthorsVariant) ?? c.AuthorsVariant,
        Augmentation = p.GetValue(Augmentation) ?? c.Augmentation,
        Epochs = p.GetValue(Epochs) ?? c.Epochs,
        BatchSize = p.GetValue(BatchSize) ?? c.BatchSize,
        Lr = p.GetValue(Lr) ?? c.Lr,
        WeightDecay = p.GetValue(WeightDecay) ?? c.WeightDecay,
        Schedule = p.GetValue(Schedule) ?? c.Schedule,
        Seed = p.GetValue(Seed) ?? c.Seed,
        Workers = p.GetValue(Workers) ?? c.Workers,
        CheckpointEvery = p.GetValue(CheckpointEvery) ?? c.CheckpointEvery,
        EvalEvery = p.GetValue(EvalEvery) ?? c.EvalEvery,
        MaxSteps = p.GetValue(MaxSteps) ?? c.MaxSteps,
    };

    /// <summary>Runs with a progress bar on a terminal and plain lines otherwise; Ctrl-C or SIGTERM stops at the next step with a checkpoint.</summary>
    internal static int RunWithConsole(TrainConfig config, string outDir, bool resume, TorchSession session)
    {
        using var cancel = new CtrlCCancellation();
        try
        {
            var options = new TrainRunOptions
            {
                Resume = resume,
                Device = session.Device,
                Threads = session.Threads,
                Log = Console.Out,
                Cancel = cancel.Token,
                Download = ConsoleDownload.Run,
            };
            if (!ProgressDisplay.Interactive)
            {
                // Piped or redirected: the trainer's own log is the output, one line per epoch (with its ETA).
                Trainer.Run(config, outDir, options);
                return 0;
            }
            if (Trainer.PreviousAttempt(outDir) is { } previous)
            {
                AnsiConsole.WriteLine(previous); // the trainer's log is silenced under the progress display
            }
            var summary = ProgressDisplay.Show(ctx =>
            {
                var run = ctx.AddTask("starting", maxValue: Math.Max(1, config.Epochs));
                var result = Trainer.Run(config, outDir, options with { Log = TextWriter.Null, Progress = ProgressDisplay.RunBar(run) });
                run.Value = run.MaxValue;
                return result;
            });
            if (FinishedLine(summary, config.Epochs) is { } line)
            {
                AnsiConsole.WriteLine(line);
            }
            AnsiConsole.WriteLine($"run folder: {outDir}");
            return 0;
        }
        catch (ArgumentException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>The line printed under the progress display when a run ends: its final kNN (null without a summary).</summary>
    internal static string? FinishedLine(System.Text.Json.Nodes.JsonObject? summary, int epochs) =>
        summary?["knn_top1"]?.GetValue<double>() is { } knn
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"finished: kNN top-1 {knn:P2} after {Trainer.Count(epochs, "epoch")}")
            : null;
}
