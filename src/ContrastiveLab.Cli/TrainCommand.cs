using System.CommandLine;
using System.Text.Json;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Training;
using Spectre.Console;

namespace ContrastiveLab.Cli;

/// <summary><c>contrastive train</c>: one run of the paper's protocol (or SimCLR/MoCo negatives) into a run folder.</summary>
public static class TrainCommand
{
    // One option per TrainConfig key, named after it (--batch-size for batch_size), built from this table: a key
    // without a line here fails the build of the command (ConfigOptions), so no key is ever left without an option.
    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["dataset"] = "dataset name (default: the bundled fashion-mnist-subset)",
        ["data_path"] = "the dataset's file or folder",
        ["data_dir"] = "folder searched for datasets (default: the per-user cache)",
        ["train_per_class"] = "use only the first N training images of each class",
        ["skip_bad_images"] = "leave out image files (folders, shards) that do not decode, counted in the log, instead of stopping",
        ["model"] = "small-cnn | resnet18-cifar | resnet50-cifar | resnet50",
        ["head"] = "linear (the paper) | mlp",
        ["embedding_dim"] = "embedding width (the paper: 128)",
        ["negatives"] = "memory-bank (the paper) | in-batch | queue",
        ["loss"] = "contrastive | simple | hard | hard-simple | single",
        ["tau"] = "temperature τ (default 0.2)",
        ["hard_k"] = "hardest negatives K for hard losses (default min(4095, available))",
        ["hard_alpha"] = "hardest fraction α for hard losses, instead of K",
        ["authors_variant"] = "follow the authors' code for simple/hard-simple",
        ["augmentation"] = "augmentation preset (default: the dataset's)",
        ["epochs"] = "epochs (0 evaluates the untrained encoder)",
        ["batch_size"] = "images per step",
        ["lr"] = "base learning rate",
        ["momentum"] = "SGD momentum",
        ["weight_decay"] = "SGD weight decay",
        ["schedule"] = "cosine | step (the paper's ×0.1 at 80% and 95%)",
        ["warmup_epochs"] = "warm-up epochs of the cosine schedule",
        ["bank_momentum"] = "memory-bank update momentum μ (the paper: 0.5)",
        ["bank_init"] = "memory-bank start: random | encoder (the untrained encoder's embeddings)",
        ["queue_size"] = "keys in the queue (queue negatives)",
        ["key_momentum"] = "key-encoder momentum (queue negatives)",
        ["seed"] = "seed of every random choice",
        ["workers"] = "augmentation threads (0: one per core)",
        ["checkpoint_every"] = "epochs between checkpoints",
        ["eval_every"] = "epochs between kNN evaluations (the last epoch is always evaluated)",
        ["tensorboard_every"] = "steps between TensorBoard step-loss points (0: per-epoch scalars only)",
        ["diagnostic_anchors"] = "training anchors of the per-epoch diagnostics",
        ["knn_k"] = "neighbours of the weighted kNN monitor",
        ["knn_sigma"] = "temperature of the weighted kNN monitor",
        ["knn_backbone"] = "also record the kNN on the backbone's pooled features",
        ["precision"] = "fp32 (default) | bf16: the training step's convolutions in bfloat16 (needs AVX-512 BF16 or AMX)",
        ["max_steps"] = "stop after this many steps (smoke tests)",
    };

    /// <summary>Every TrainConfig key with its option, in the config's order.</summary>
    internal static IReadOnlyList<(string Key, Option Option)> ConfigOptions { get; } = [.. TrainConfig.JsonKeys.Select(k => (k, ConfigOption(k)))];

    private static readonly Option<string?> ConfigFile = new("--config") { Description = "JSON config (snake_case keys as in a run's config.json); options below override it" };
    private static readonly Option<string> Out = new("--out") { Description = "run folder", DefaultValueFactory = _ => Path.Combine("runs", "default") };
    private static readonly Option<bool> Resume = new("--resume") { Description = "continue the run in --out from its newest valid checkpoint" };
    private static readonly Option<bool> PrintConfig = new("--print-config") { Description = "print the fully resolved config as JSON (defaults, --config file and options) and exit without training" };

    public static Command Build()
    {
        var command = new Command("train", "Train an encoder into a run folder (config.json, metrics.csv, summary.json, checkpoints, TensorBoard events).");
        var defaults = System.Text.Json.Nodes.JsonNode.Parse(TrainConfig.ToJson(new TrainConfig()))!.AsObject();
        foreach (var o in ConfigOptions.Select(c => c.Option).Prepend(ConfigFile).Concat([Out, Resume, PrintConfig]))
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
        string saved = Path.Combine(outDir, RunFiles.Config);
        TrainConfig config;
        if (parse.GetValue(Resume) && File.Exists(saved) && parse.GetValue(ConfigFile) is null)
        {
            config = ReadConfig(saved);
        }
        else
        {
            config = parse.GetValue(ConfigFile) is { } file ? ReadConfig(file) : new TrainConfig();
        }
        try
        {
            return Override(config, parse).Validate();
        }
        catch (Exception e) when (e is ArgumentException or JsonException)
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

    /// <summary>
    /// The config with every option given on the command line set, through the config's own JSON reader: an option
    /// is validated as the same key in a --config file or a sweep file would be.
    /// </summary>
    private static TrainConfig Override(TrainConfig c, ParseResult p)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(TrainConfig.ToJson(c))!.AsObject();
        foreach (var (key, option) in ConfigOptions)
        {
            if (p.GetResult(option) is { Implicit: false } given)
            {
                json[key] = given.GetValueOrDefault<object?>() switch
                {
                    null => null,
                    string text => text,
                    int n => n,
                    long n => n,
                    double x => x,
                    bool b => b,
                    var other => throw new InvalidOperationException($"--{key}: no JSON form for {other.GetType().Name}"),
                };
            }
        }
        return TrainConfig.FromJson(json.ToJsonString());
    }

    /// <summary>The option of a config key: its type from the TrainConfig property, its help from <see cref="Descriptions"/>.</summary>
    private static Option ConfigOption(string key)
    {
        string name = "--" + key.Replace('_', '-');
        string description = Descriptions.TryGetValue(key, out var d) ? d : throw new InvalidOperationException($"config key '{key}' has no option description in TrainCommand");
        var type = TrainConfig.PropertyOf(key).PropertyType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        string[] aliases = key == "data_path" ? ["--path"] : [];
        Option option = type == typeof(string) ? new Option<string?>(name, aliases)
            : type == typeof(int) ? new Option<int?>(name, aliases)
            : type == typeof(long) ? new Option<long?>(name, aliases)
            : type == typeof(double) ? new Option<double?>(name, aliases)
            : type == typeof(bool) ? new Option<bool?>(name, aliases)
            : throw new InvalidOperationException($"config key '{key}' has a type ({type.Name}) no option is made for");
        option.Description = description;
        return option;
    }

    /// <summary>Runs with a progress bar on a terminal and plain lines otherwise; Ctrl-C or SIGTERM stops at the next step with a checkpoint.</summary>
    internal static int RunWithConsole(TrainConfig config, string outDir, bool resume, TorchSession session)
    {
        using var cancel = new CtrlCCancellation();
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

    /// <summary>The line printed under the progress display when a run ends: its final kNN (null without a summary).</summary>
    internal static string? FinishedLine(System.Text.Json.Nodes.JsonObject? summary, int epochs) =>
        summary?["knn_top1"]?.GetValue<double>() is { } knn
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"finished: kNN top-1 {knn:P2} after {Trainer.Count(epochs, "epoch")}")
            : null;
}
