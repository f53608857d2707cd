using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.Training;

namespace ContrastiveLab.Sweeps;

/// <summary>
/// A sweep: a base config plus grid blocks. Each block maps config keys to a value or a list of values; a block
/// expands to the cartesian product of its lists, the blocks' runs are concatenated, and the whole list is
/// repeated for each seed. JSON with comments and trailing commas; keys are <c>config.json</c>'s snake_case names.
/// </summary>
/// <example>
/// <code>
/// {
///   "name": "cpu-quick",
///   "follows": "what this preset reproduces, and how it differs",
///   "base": { "epochs": 12, "train_per_class": 1000 },
///   "grid": [ { "loss": "contrastive", "tau": [0.07, 0.2, 0.5, 1.0] }, { "loss": "simple" } ],
///   "seeds": [1]
/// }
/// </code>
/// </example>
public sealed record SweepFile(string Name, string Description, string Follows, JsonObject Base, IReadOnlyList<JsonObject> Grid, IReadOnlyList<long> Seeds)
{
    private static readonly string[] TopLevelKeys = ["name", "description", "follows", "base", "grid", "seeds"];

    internal static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Config keys a sweep may set (TrainConfig's properties in snake_case).</summary>
    public static IReadOnlyList<string> ConfigKeys { get; } = [.. typeof(TrainConfig).GetProperties()
        .Where(p => p.CanWrite)
        .Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))];

    /// <summary>Parses a sweep; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="SweepException">Malformed JSON, unknown keys (with a suggestion), or invalid run configs.</exception>
    public static SweepFile Parse(string json, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new SweepException($"{source}: not valid JSON ({e.Message.Split('\n')[0]})");
        }
        if (root is not JsonObject obj)
        {
            throw new SweepException($"{source}: a sweep file must hold one JSON object");
        }
        foreach (var (key, _) in obj)
        {
            CheckKey(source, key, TopLevelKeys, "sweep key");
        }
        string name = obj["name"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(source);
        var baseConfig = obj["base"] as JsonObject ?? [];
        foreach (var (key, _) in baseConfig)
        {
            CheckKey(source, key, ConfigKeys, "config key in base");
        }
        var grid = new List<JsonObject>();
        if (obj["grid"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block is not JsonObject b)
                {
                    throw new SweepException($"{source}: each grid entry must be an object of config keys");
                }
                foreach (var (key, value) in b)
                {
                    CheckKey(source, key, ConfigKeys, "config key in grid");
                    if (value is JsonArray { Count: 0 })
                    {
                        throw new SweepException($"{source}: grid key '{key}' has an empty list");
                    }
                }
                grid.Add(b);
            }
        }
        else if (obj["grid"] is not null)
        {
            throw new SweepException($"{source}: 'grid' must be a list of objects");
        }
        var seeds = new List<long>();
        if (obj["seeds"] is JsonArray s)
        {
            foreach (var seed in s)
            {
                seeds.Add(seed?.GetValue<long>() ?? throw new SweepException($"{source}: seeds must be integers"));
            }
        }
        var sweep = new SweepFile(name, obj["description"]?.GetValue<string>() ?? "", obj["follows"]?.GetValue<string>() ?? "",
            baseConfig, grid, seeds.Count > 0 ? seeds : []);
        _ = sweep.Expand(source); // validate every run now, before any work starts
        return sweep;
    }

    /// <summary>Reads and parses a sweep file.</summary>
    public static SweepFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new SweepException($"{path}: sweep file not found");
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Every run of the sweep, each with a unique folder name, in order; <paramref name="overrides"/> apply to all.</summary>
    public IReadOnlyList<SweepRun> Expand(string source = "sweep", JsonObject? overrides = null)
    {
        var blocks = Grid.Count > 0 ? Grid : [new JsonObject()];
        var runs = new List<SweepRun>();
        var seen = new HashSet<string>();
        foreach (var block in blocks)
        {
            foreach (var combination in Product(block))
            {
                foreach (long? seed in Seeds.Count > 0 ? Seeds.Select(s => (long?)s) : [null])
                {
                    var merged = (JsonObject)Base.DeepClone();
                    foreach (var (k, v) in combination)
                    {
                        merged[k] = v?.DeepClone();
                    }
                    if (seed is { } sd)
                    {
                        merged["seed"] = sd;
                    }
                    foreach (var (k, v) in overrides ?? [])
                    {
                        merged[k] = v?.DeepClone();
                    }
                    TrainConfig config;
                    try
                    {
                        config = Trainer.FromJson(merged.ToJsonString()).Validate();
                    }
                    catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
                    {
                        throw new SweepException($"{source}: run {merged.ToJsonString()} is invalid: {e.Message.Split('\n')[0]}");
                    }
                    var run = new SweepRun(RunName(config), config);
                    if (seen.Add(run.Name))
                    {
                        runs.Add(run);
                    }
                }
            }
        }
        return runs;
    }

    /// <summary>
    /// This sweep with <paramref name="overrides"/> applied, as a sweep file whose grid lists every run's full
    /// config in order: it expands to the same runs, with the same names and indices, whatever the original file
    /// or the overrides become later. Cluster tasks read it so that every task sees the same grid.
    /// </summary>
    /// <exception cref="SweepException">A run is invalid.</exception>
    public string ToResolvedJson(JsonObject? overrides = null)
    {
        var runs = Expand(Name, overrides);
        var resolved = new JsonObject
        {
            ["name"] = Name,
            ["description"] = Description,
            ["follows"] = Follows,
            ["base"] = new JsonObject(),
            ["grid"] = new JsonArray([.. runs.Select(r => JsonNode.Parse(Trainer.ToJson(r.Config)))]),
        };
        return resolved.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>A readable, unique folder name: the settings that usually vary plus a hash of the whole config.</summary>
    public static string RunName(TrainConfig config)
    {
        var parts = new List<string> { config.Loss };
        if (config.Loss is "contrastive" or "hard")
        {
            parts.Add("tau" + config.Tau.ToString(CultureInfo.InvariantCulture));
        }
        if (config.HardK is { } k)
        {
            parts.Add("k" + k.ToString(CultureInfo.InvariantCulture));
        }
        if (config.HardAlpha is { } a)
        {
            parts.Add("a" + a.ToString(CultureInfo.InvariantCulture));
        }
        if (config.Negatives != "memory-bank")
        {
            parts.Add(config.Negatives);
        }
        parts.Add("s" + config.Seed.ToString(CultureInfo.InvariantCulture));
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Trainer.ToJson(config))))[..8].ToLowerInvariant();
        return $"{config.Dataset}_{string.Join('_', parts)}_{hash}";
    }

    private static IEnumerable<List<(string Key, JsonNode? Value)>> Product(JsonObject block)
    {
        IEnumerable<List<(string, JsonNode?)>> acc = [[]];
        foreach (var (key, value) in block)
        {
            var options = value is JsonArray arr ? arr.Select(v => v).ToList() : [value];
            acc = acc.SelectMany(prefix => options.Select(o => new List<(string, JsonNode?)>(prefix) { (key, o) })).ToList();
        }
        return acc;
    }

    private static void CheckKey(string source, string key, IReadOnlyList<string> allowed, string what)
    {
        if (!allowed.Contains(key))
        {
            string? guess = Suggest(key, allowed);
            throw new SweepException($"{source}: unknown {what} '{key}'" + (guess is null ? $"; allowed: {string.Join(", ", allowed)}" : $"; did you mean '{guess}'?"));
        }
    }

    /// <summary>The allowed word closest to <paramref name="word"/> by edit distance, if it is close.</summary>
    public static string? Suggest(string word, IEnumerable<string> allowed)
    {
        var best = allowed.Select(a => (a, d: Distance(word, a))).OrderBy(p => p.d).FirstOrDefault();
        return best.a is not null && best.d <= Math.Max(2, word.Length / 3) ? best.a : null;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }
        return d[a.Length, b.Length];
    }
}
