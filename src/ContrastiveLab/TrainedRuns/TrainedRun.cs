using ContrastiveLab.Augmentation;
using ContrastiveLab.Models;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Training;

namespace ContrastiveLab.TrainedRuns;

/// <summary>
/// A run folder opened for evaluation or export: its config, one checkpoint's encoder (in eval mode) and the
/// training and test images the run used. Owns the encoder.
/// </summary>
public sealed class TrainedRun : IDisposable
{
    // Only Open makes one; every property is set there.
    private TrainedRun()
    {
    }

    /// <summary>The run folder.</summary>
    public required string Directory { get; init; }

    /// <summary>The run's config, as its config.json holds it.</summary>
    public required TrainConfig Config { get; init; }

    /// <summary>The checkpoint the encoder was loaded from.</summary>
    public required CheckpointStore.Entry Checkpoint { get; init; }

    /// <summary>The trained encoder, in eval mode, on <see cref="Device"/>.</summary>
    public required ContrastiveEncoder Model { get; init; }

    /// <summary>Where the encoder lives.</summary>
    public required Device Device { get; init; }

    /// <summary>Which checkpoints <see cref="Open"/> accepts.</summary>
    public static IReadOnlyList<string> CheckpointChoices { get; } = ["latest", "best"];

    /// <summary>
    /// Opens <paramref name="runDirectory"/> and loads its newest valid checkpoint (<c>latest</c>) or the one marked
    /// best (<c>best</c>; the newest when none is marked).
    /// </summary>
    /// <exception cref="ArgumentException">No such folder, not a run folder, no valid checkpoint, or an unknown choice; the message says which.</exception>
    public static TrainedRun Open(string runDirectory, string checkpoint = "latest", Device? device = null)
    {
        if (!CheckpointChoices.Contains(checkpoint))
        {
            throw new ArgumentException($"checkpoint = '{checkpoint}' is not known; allowed: {string.Join(", ", CheckpointChoices)}", nameof(checkpoint));
        }
        if (!System.IO.Directory.Exists(runDirectory))
        {
            throw new ArgumentException($"{runDirectory}: run folder not found", nameof(runDirectory));
        }
        string configPath = Path.Combine(runDirectory, RunFiles.Config);
        if (!File.Exists(configPath))
        {
            throw new ArgumentException($"{runDirectory}: not a run folder (no {RunFiles.Config})", nameof(runDirectory));
        }
        TrainConfig config;
        try
        {
            config = TrainConfig.FromJson(File.ReadAllText(configPath));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"{configPath}: {e.Message.Split('\n')[0]}", nameof(runDirectory));
        }
        var store = new CheckpointStore(runDirectory);
        var rejected = new List<string>();
        var entry = (checkpoint == "best" ? store.BestValid() : null) ?? store.LatestValid(rejected)
            ?? throw new ArgumentException(
                $"{runDirectory}: no valid checkpoint in {store.Directory}" + (rejected.Count > 0 ? $" ({string.Join("; ", rejected)})" : ""), nameof(runDirectory));
        device ??= CPU;
        var (train, test, classes) = Trainer.Splits(config);
        var model = ModelFactory.Create(config.Model, train.Channels, config.EmbeddingDim, config.Head == "mlp");
        try
        {
            model.load(Path.Combine(entry.Path, RunFiles.CheckpointModel));
            model.to(device);
            model.eval();
            return new TrainedRun
            {
                Directory = runDirectory, Config = config, Checkpoint = entry, Model = model, Device = device,
                TrainImages = train, TestImages = test, Classes = classes,
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The training images the run trained on (the <c>train_per_class</c> subset when it used one).</summary>
    public required ImageSplitSource TrainImages { get; init; }

    /// <summary>The test split (or val, or train when the dataset has neither), as the trainer evaluates on.</summary>
    public required ImageSplitSource TestImages { get; init; }

    /// <summary>Number of classes of the dataset.</summary>
    public required int Classes { get; init; }

    public void Dispose() => Model.Dispose();
}
