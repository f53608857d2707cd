using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContrastiveLab.RunFormat;

namespace ContrastiveLab.Reports;

/// <summary>
/// Reads run folders as <c>contrastive train</c> writes them. A folder is a run when it holds <c>config.json</c>;
/// it is finished only when it also holds <c>summary.json</c> (written last, atomically, by the trainer).
/// </summary>
public static class RunFolderReader
{
    /// <summary>Folder names never searched for runs (a report's own output).</summary>
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { RunFiles.ReportDirectory, RunFiles.CheckpointsDirectory, RunFiles.TensorBoardDirectory };

    /// <summary>
    /// Finds run folders up to two levels below <paramref name="root"/> (or <paramref name="root"/> itself) and reads
    /// each. Unfinished runs and runs with a damaged file are listed in <see cref="RunCollection.Missing"/> with the
    /// reason; they never appear as complete. So are runs that a sweep lists (<c>sweeps/&lt;name&gt;.json</c>, written
    /// when a sweep starts or is submitted) but that have no folder yet.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    public static RunCollection ReadAll(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        string full = Path.GetFullPath(root);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"{root}: no such folder");
        }
        var runs = new List<RunRecord>();
        var missing = new List<UnfinishedRun>();
        foreach (string dir in RunDirectories(full))
        {
            string name = Path.GetRelativePath(full, dir).Replace('\\', '/');
            if (name == ".")
            {
                // The report's folder is itself the run: name it by its folder, not ".".
                name = Path.GetFileName(Path.TrimEndingDirectorySeparator(full));
            }
            if (!File.Exists(Path.Combine(dir, RunFiles.Summary)))
            {
                missing.Add(new UnfinishedRun(name, "no summary.json: the run has not finished"));
                continue;
            }
            try
            {
                runs.Add(ReadRun(dir, name));
            }
            catch (RunFormatException e)
            {
                missing.Add(new UnfinishedRun(name, "unreadable: " + e.Message));
            }
        }
        var found = new HashSet<string>(runs.Select(r => r.Name).Concat(missing.Select(m => m.Name)), StringComparer.Ordinal);
        foreach (var (sweep, run) in ListedRuns(full).Where(p => !found.Contains(p.Run)))
        {
            found.Add(run);
            missing.Add(new UnfinishedRun(run, $"not started: listed by sweep {sweep} (sweeps/{sweep}.json), no run folder yet"));
        }
        return new RunCollection(full,
            runs.OrderBy(r => r.Name, StringComparer.Ordinal).ToArray(),
            missing.OrderBy(m => m.Name, StringComparer.Ordinal).ToArray());
    }

    /// <summary>Reads one finished run folder.</summary>
    /// <param name="directory">The run folder.</param>
    /// <param name="name">The name to give it; null: the folder's own name.</param>
    /// <exception cref="RunFormatException">A required file is missing or damaged; the message names the file.</exception>
    public static RunRecord ReadRun(string directory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string dir = Path.GetFullPath(directory);
        string configPath = Path.Combine(dir, RunFiles.Config);
        string summaryPath = Path.Combine(dir, RunFiles.Summary);
        string metricsPath = Path.Combine(dir, RunFiles.Metrics);
        string orderPath = Path.Combine(dir, RunFiles.OrderStatistics);
        string linearPath = Path.Combine(dir, RunFiles.Linear);
        string environmentPath = Path.Combine(dir, RunFiles.Environment);
        var config = ReadJson(configPath, ParseConfig);
        var summary = ReadJson(summaryPath, ParseSummary);
        var metrics = ParseMetrics(metricsPath, ReadLines(metricsPath));
        var order = File.Exists(orderPath) ? ParseOrderStatistics(orderPath, ReadLines(orderPath)) : null;
        var linear = File.Exists(linearPath) ? ReadJson(linearPath, ParseLinear) : null;
        var environment = File.Exists(environmentPath) ? ReadJson(environmentPath, ParseEnvironment) : null;
        return new RunRecord(name ?? Path.GetFileName(dir), dir, config, summary, metrics, order, linear, environment);
    }

    /// <summary>(sweep, run folder name) for each run listed under <c>root/sweeps/*.json</c>; unreadable listings are passed over.</summary>
    private static IEnumerable<(string Sweep, string Run)> ListedRuns(string root)
    {
        string dir = Path.Combine(root, RunFiles.SweepsDirectory);
        if (!System.IO.Directory.Exists(dir))
        {
            yield break;
        }
        foreach (string file in System.IO.Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            string[] names;
            try
            {
                names = [.. SweepListing.Parse(File.ReadAllText(file), Path.GetFileNameWithoutExtension(file)).Runs];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                continue;
            }
            foreach (string name in names.Where(n => n.Length > 0 && !n.Contains('/') && !n.Contains('\\') && n != "." && n != ".."))
            {
                yield return (Path.GetFileNameWithoutExtension(file), name);
            }
        }
    }

    private static IEnumerable<string> RunDirectories(string root)
    {
        if (File.Exists(Path.Combine(root, RunFiles.Config)))
        {
            yield return root;
            yield break;
        }
        foreach (string child in Children(root))
        {
            if (File.Exists(Path.Combine(child, RunFiles.Config)))
            {
                yield return child;
                continue;
            }
            foreach (string grandchild in Children(child).Where(g => File.Exists(Path.Combine(g, RunFiles.Config))))
            {
                yield return grandchild;
            }
        }
    }

    private static IEnumerable<string> Children(string dir) => System.IO.Directory.EnumerateDirectories(dir)
        .Where(d => !Skipped.Contains(Path.GetFileName(d)) && !Path.GetFileName(d).StartsWith('.'))
        .Order(StringComparer.Ordinal);

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is not RunFormatException && (e is IOException or UnauthorizedAccessException))
        {
            throw new RunFormatException(path, e is FileNotFoundException ? "missing" : e.Message, e);
        }
    }

    private static T ReadJson<T>(string path, Func<JsonObject, T> parse)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is not RunFormatException && (e is IOException or UnauthorizedAccessException))
        {
            throw new RunFormatException(path, e is FileNotFoundException ? "missing" : e.Message, e);
        }
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return parse(node as JsonObject ?? throw new FormatException("not a JSON object"));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new RunFormatException(path, e.Message.Split('\n')[0], e);
        }
    }

    private static RunConfig ParseConfig(JsonObject o) => new(
        Text(o, "dataset"), TextOr(o, "model", "?"), TextOr(o, "negatives", "?"), Text(o, "loss"), Number(o, "tau"),
        (int?)JsonFields.Number(o, "hard_k"), JsonFields.Number(o, "hard_alpha"), (int)Number(o, "epochs"),
        (int)(JsonFields.Number(o, "batch_size") ?? 0), JsonFields.Number(o, "lr") ?? double.NaN, (long)Number(o, "seed"),
        (int?)JsonFields.Number(o, "train_per_class"))
    {
        Protocol = o.Where(p => !RunConfig.NotProtocol.Contains(p.Key))
            .ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null", StringComparer.Ordinal),
    };

    private static RunSummary ParseSummary(JsonObject o)
    {
        var s = RunSummaryFile.Parse(o);
        return new RunSummary(s.Status, s.KnnTop1, s.BestKnnTop1, s.Final, s.WallSeconds, s.Threads, s.Device, s.TrainImages, s.TestImages, s.Steps)
        {
            ClassNames = s.ClassNames,
        };
    }

    private static LinearResult ParseLinear(JsonObject o)
    {
        var file = LinearResultFile.Parse(o);
        return new LinearResult(file.BestTop1, file.LastTop1, file.BestEpoch);
    }

    private static RunEnvironment ParseEnvironment(JsonObject o)
    {
        string[] versionKeys = ["contrastivelab", "torchsharp", "libtorch", "dotnet"];
        var versions = versionKeys.Where(k => o[k] is not null).ToDictionary(k => k, k => o[k]!.ToString(), StringComparer.Ordinal);
        return new RunEnvironment(TextOr(o, "machine", "?"), TextOr(o, "os", "?"), (int)(JsonFields.Number(o, "cores") ?? 0),
            (int)(JsonFields.Number(o, "threads") ?? 0), TextOr(o, "device", "?"), versions);
    }

    private static string Text(JsonObject o, string key) =>
        JsonFields.Text(o, key) ?? throw new FormatException($"'{key}' is missing");

    private static string TextOr(JsonObject o, string key, string fallback) => JsonFields.Text(o, key) ?? fallback;

    private static double Number(JsonObject o, string key) =>
        JsonFields.Number(o, key) ?? throw new FormatException($"'{key}' is missing or null");

    /// <summary>Parses metrics.csv: a header with an <c>epoch</c> column, then one row per epoch; empty cells are left out.</summary>
    internal static IReadOnlyList<EpochMetrics> ParseMetrics(string path, string[] lines)
    {
        var (header, rows) = ParseCsv(path, lines, allowEmpty: true);
        int epochColumn = Array.IndexOf(header, "epoch");
        if (epochColumn < 0)
        {
            throw new RunFormatException(path, "the header has no 'epoch' column");
        }
        if (rows.Count == 0)
        {
            throw new RunFormatException(path, "no rows after the header");
        }
        return rows.Select(r =>
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int c = 0; c < header.Length; c++)
            {
                if (r.Cells[c] is double v)
                {
                    values[header[c]] = v;
                }
            }
            double epoch = r.Cells[epochColumn] ?? throw new RunFormatException(path, $"line {r.Line}: the epoch cell is empty");
            return new EpochMetrics((int)epoch, values);
        }).ToArray();
    }

    /// <summary>Parses order_statistics.csv: header pos,neg1,…; every cell a number.</summary>
    internal static OrderStatistics ParseOrderStatistics(string path, string[] lines)
    {
        var (header, rows) = ParseCsv(path, lines, allowEmpty: false);
        return new OrderStatistics(header, rows.Select(r => r.Cells.Select(c => c!.Value).ToArray()).ToArray());
    }

    private static (string[] Header, List<(int Line, double?[] Cells)> Rows) ParseCsv(string path, string[] lines, bool allowEmpty)
    {
        if (lines.Length == 0 || string.IsNullOrWhiteSpace(lines[0]))
        {
            throw new RunFormatException(path, "empty file (no header)");
        }
        string[] header = lines[0].Trim().Split(',');
        var rows = new List<(int, double?[])>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }
            string[] cells = lines[i].Trim().Split(',');
            if (cells.Length != header.Length)
            {
                throw new RunFormatException(path, $"line {i + 1} has {cells.Length} cells; the header has {header.Length}");
            }
            var parsed = new double?[cells.Length];
            for (int c = 0; c < cells.Length; c++)
            {
                if (cells[c].Length == 0 && allowEmpty)
                {
                    continue;
                }
                if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                {
                    throw new RunFormatException(path, $"line {i + 1}, column '{header[c]}': '{cells[c]}' is not a number");
                }
                parsed[c] = v;
            }
            rows.Add((i + 1, parsed));
        }
        return (header, rows);
    }
}
