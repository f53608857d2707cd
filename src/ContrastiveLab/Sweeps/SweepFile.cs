using System.Security.Cryptography;
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
    public static IReadOnlyList<string> ConfigKeys => TrainConfig.JsonKeys;

    /// <summary>Most runs one sweep may expand to (a grid with a typo can otherwise ask for millions).</summary>
    public const long MaxRuns = 10_000;

    /// <summary>Parses a sweep; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="SweepException">Malformed JSON, unknown keys (with a suggestion), values of the wrong type, or invalid run configs.</exception>
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
        var seenKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in Properties(source, obj, "the sweep"))
        {
            CheckKey(source, key, TopLevelKeys, "sweep key");
            if (!seenKeys.Add(key))
            {
                throw new SweepException($"{source}: sweep key '{key}' is given twice");
            }
        }
        string name = Text(source, obj, "name") ?? Path.GetFileNameWithoutExtension(source);
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(['/', '\\']) >= 0 || name.Any(char.IsControl) || name.Length > 200)
        {
            throw new SweepException($"{source}: sweep key 'name' = '{Core.Excerpt.Of(name)}' is not allowed; it names the results folder, so it must be one folder name (no '/', '\\', '..' or control characters, at most 200 characters)");
        }
        var baseConfig = obj["base"] switch
        {
            null => [],
            JsonObject b => b,
            var other => throw new SweepException($"{source}: sweep key 'base' = {Core.Excerpt.Of(other.ToJsonString())} must be an object of config keys"),
        };
        CheckConfigKeys(source, baseConfig, "config key in base");
        var grid = new List<JsonObject>();
        long runCount = 0;
        if (obj["grid"] is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block is not JsonObject b)
                {
                    throw new SweepException($"{source}: sweep key 'grid': each grid entry must be an object of config keys");
                }
                CheckConfigKeys(source, b, "config key in grid");
                long combinations = 1;
                foreach (var (key, value) in b)
                {
                    if (value is JsonArray { Count: 0 })
                    {
                        throw new SweepException($"{source}: grid key '{key}' has an empty list");
                    }
                    combinations = Math.Min(MaxRuns + 1, combinations * (value is JsonArray list ? list.Count : 1));
                }
                runCount = Math.Min(MaxRuns + 1, runCount + combinations);
                grid.Add(b);
            }
        }
        else if (obj["grid"] is { } other)
        {
            throw new SweepException($"{source}: sweep key 'grid' = {Core.Excerpt.Of(other.ToJsonString())} must be a list of objects");
        }
        var seeds = new List<long>();
        switch (obj["seeds"])
        {
            case null:
                break;
            case JsonArray list:
                foreach (var seed in list)
                {
                    seeds.Add(seed is JsonValue v && v.TryGetValue(out long s) && s >= 0
                        ? s
                        : throw new SweepException($"{source}: sweep key 'seeds' holds {Core.Excerpt.Of(seed?.ToJsonString() ?? "null")}; seeds must be whole numbers from 0 to {long.MaxValue}"));
                }
                break;
            case var other:
                throw new SweepException($"{source}: sweep key 'seeds' = {Core.Excerpt.Of(other.ToJsonString())} must be a list of whole numbers, e.g. [1, 2, 3]");
        }
        if (Math.Max(1, runCount) * Math.Max(1, seeds.Count) > MaxRuns)
        {
            throw new SweepException($"{source}: the grid expands to more than {MaxRuns} runs; split the sweep");
        }
        var sweep = new SweepFile(name, Text(source, obj, "description") ?? "", Text(source, obj, "follows") ?? "",
            baseConfig, grid, seeds.Count > 0 ? seeds : []);
        _ = sweep.Expand(source); // validate every run now, before any work starts
        return sweep;
    }

    /// <summary>The object's properties; a key given twice is an error (JSON leaves it undefined).</summary>
    private static List<KeyValuePair<string, JsonNode?>> Properties(string source, JsonObject obj, string where)
    {
        try
        {
            return [.. obj];
        }
        catch (ArgumentException)
        {
            throw new SweepException($"{source}: a key is given twice in {where}");
        }
    }

    private static void CheckConfigKeys(string source, JsonObject config, string what)
    {
        foreach (var (key, _) in Properties(source, config, what.Replace("config key in ", "", StringComparison.Ordinal)))
        {
            CheckKey(source, key, ConfigKeys, what);
        }
    }

    /// <summary>An optional string key of the sweep.</summary>
    private static string? Text(string source, JsonObject obj, string key) => obj[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? text) => text,
        var other => throw new SweepException($"{source}: sweep key '{key}' = {Core.Excerpt.Of(other.ToJsonString())} must be a string"),
    };

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
                        config = TrainConfig.FromJson(merged.ToJsonString()).Validate();
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
            ["grid"] = new JsonArray([.. runs.Select(r => JsonNode.Parse(TrainConfig.ToJson(r.Config)))]),
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
        if (config.Precision is { } precision)
        {
            parts.Add(precision);
        }
        parts.Add("s" + config.Seed.ToString(CultureInfo.InvariantCulture));
        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(TrainConfig.ToJson(config))))[..8].ToLowerInvariant();
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
            string? guess = Core.Spelling.Suggest(key, allowed);
            throw new SweepException($"{source}: unknown {what} '{Core.Excerpt.Of(key)}'" + (guess is null ? $"; allowed: {string.Join(", ", allowed)}" : $"; did you mean '{guess}'?"));
        }
    }
}
