using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContrastiveLab.RunFormat;

/// <summary>
/// <c>summary.json</c>: what a finished run trained, its final and best kNN, its last metric row, and what it cost.
/// The trainer writes it with <see cref="ToJson"/>; reports read it with <see cref="Parse"/>, which also accepts the
/// summaries of older runs that lack the optional fields.
/// </summary>
public sealed record RunSummaryFile
{
    /// <summary>"finished".</summary>
    public string Status { get; init; } = "finished";

    /// <summary>Dataset name.</summary>
    public string? Dataset { get; init; }

    /// <summary>Model name.</summary>
    public string? Model { get; init; }

    /// <summary>Negative source name.</summary>
    public string? Negatives { get; init; }

    /// <summary>Loss name.</summary>
    public string? Loss { get; init; }

    /// <summary>Temperature τ of the config (unused by the τ-free losses).</summary>
    public double? Tau { get; init; }

    /// <summary>K of the hard losses, when set.</summary>
    public int? HardK { get; init; }

    /// <summary>Epochs of the config.</summary>
    public int? Epochs { get; init; }

    /// <summary>Optimisation steps taken.</summary>
    public long Steps { get; init; }

    /// <summary>The run's seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Training images.</summary>
    public int TrainImages { get; init; }

    /// <summary>Test images.</summary>
    public int TestImages { get; init; }

    /// <summary>The dataset's class names, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>Final kNN top-1 (a fraction).</summary>
    public double KnnTop1 { get; init; }

    /// <summary>Best kNN top-1 over the evaluated epochs.</summary>
    public double BestKnnTop1 { get; init; }

    /// <summary>The last metric row; null for a value that was not measured.</summary>
    public IReadOnlyDictionary<string, double?> Final { get; init; } = new Dictionary<string, double?>();

    /// <summary>Training wall time over every process of the run (NaN when not recorded).</summary>
    public double WallSeconds { get; init; } = double.NaN;

    /// <summary>libtorch threads.</summary>
    public int Threads { get; init; }

    /// <summary>"cpu" or "cuda".</summary>
    public string Device { get; init; } = "?";

    /// <summary>Resident memory (MB) after each epoch of the last process, keyed by epoch.</summary>
    public IReadOnlyDictionary<string, double> ResidentMbAfterEpoch { get; init; } = new Dictionary<string, double>();

    /// <summary>GFLOP of one training step per image.</summary>
    public double? TrainingGflopPerImage { get; init; }

    /// <summary>Mean training images per second over the epochs.</summary>
    public double? MeanImagesPerS { get; init; }

    /// <summary>Mean training GFLOP/s over the epochs.</summary>
    public double? MeanGflopsPerS { get; init; }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The summary as a JSON object, keys in the order written.</summary>
    public JsonObject ToJsonObject() => new()
    {
        ["status"] = Status,
        ["dataset"] = Dataset,
        ["model"] = Model,
        ["negatives"] = Negatives,
        ["loss"] = Loss,
        ["tau"] = Tau,
        ["hard_k"] = HardK,
        ["epochs"] = Epochs,
        ["steps"] = Steps,
        ["seed"] = Seed,
        ["train_images"] = TrainImages,
        ["test_images"] = TestImages,
        ["class_names"] = new JsonArray([.. ClassNames.Select(n => (JsonNode?)n)]),
        ["knn_top1"] = KnnTop1,
        ["best_knn_top1"] = BestKnnTop1,
        ["final"] = new JsonObject(Final.Select(p => KeyValuePair.Create(p.Key, p.Value is { } v ? (JsonNode?)v : null))),
        ["wall_seconds"] = WallSeconds,
        ["threads"] = Threads,
        ["device"] = Device,
        ["resident_mb_after_epoch"] = new JsonObject(ResidentMbAfterEpoch.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        ["training_gflop_per_image"] = TrainingGflopPerImage,
        ["mean_images_per_s"] = MeanImagesPerS,
        ["mean_gflops_per_s"] = MeanGflopsPerS,
    };

    /// <summary>The text of summary.json.</summary>
    public string ToJson() => ToJsonObject().ToJsonString(Indented);

    /// <summary>Reads summary.json; <c>knn_top1</c> and <c>final</c> are required, the rest defaults as documented per property.</summary>
    /// <exception cref="FormatException">A required field is missing or a field has the wrong type; the message names it.</exception>
    public static RunSummaryFile Parse(JsonObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        try
        {
            var final = o["final"] as JsonObject ?? throw new FormatException("'final' is missing or not an object");
            double knn = JsonFields.Number(o, "knn_top1") ?? throw new FormatException("'knn_top1' is missing or null");
            return new RunSummaryFile
            {
                Status = JsonFields.Text(o, "status") ?? "finished",
                Dataset = JsonFields.Text(o, "dataset"),
                Model = JsonFields.Text(o, "model"),
                Negatives = JsonFields.Text(o, "negatives"),
                Loss = JsonFields.Text(o, "loss"),
                Tau = JsonFields.Number(o, "tau"),
                HardK = (int?)JsonFields.Number(o, "hard_k"),
                Epochs = (int?)JsonFields.Number(o, "epochs"),
                Steps = (long)(JsonFields.Number(o, "steps") ?? 0),
                Seed = (long?)JsonFields.Number(o, "seed"),
                TrainImages = (int)(JsonFields.Number(o, "train_images") ?? 0),
                TestImages = (int)(JsonFields.Number(o, "test_images") ?? 0),
                ClassNames = o["class_names"] is JsonArray names && names.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    ? [.. names.Select(n => n!.GetValue<string>())]
                    : [],
                KnnTop1 = knn,
                BestKnnTop1 = JsonFields.Number(o, "best_knn_top1") ?? knn,
                Final = final.ToDictionary(p => p.Key, p => JsonFields.NumberOf(p.Value, "final." + p.Key), StringComparer.Ordinal),
                WallSeconds = JsonFields.Number(o, "wall_seconds") ?? double.NaN,
                Threads = (int)(JsonFields.Number(o, "threads") ?? 0),
                Device = JsonFields.Text(o, "device") ?? "?",
                ResidentMbAfterEpoch = o["resident_mb_after_epoch"] is JsonObject resident
                    ? resident.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => JsonFields.NumberOf(p.Value, "resident_mb_after_epoch." + p.Key)!.Value, StringComparer.Ordinal)
                    : new Dictionary<string, double>(),
                TrainingGflopPerImage = JsonFields.Number(o, "training_gflop_per_image"),
                MeanImagesPerS = JsonFields.Number(o, "mean_images_per_s"),
                MeanGflopsPerS = JsonFields.Number(o, "mean_gflops_per_s"),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            throw new FormatException($"a field has the wrong type ({e.Message.Split('\n')[0]})", e);
        }
    }
}
