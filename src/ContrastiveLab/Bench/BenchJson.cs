namespace ContrastiveLab.Bench;

/// <summary>
/// The JSON of <c>contrastive bench --json</c> and of benchmarks/pytorch/reference.py: a list of objects, each with
/// <c>name</c>, <c>variant</c> (may be empty), its figures as numbers under their unit names, and <c>note</c>.
/// Extra keys (e.g. <c>framework</c>) are allowed and ignored when read.
/// </summary>
public static class BenchJson
{
    /// <summary>Serialises results (indented) with a <c>framework</c> key; non-finite figures are written as null.
    /// <paramref name="pytorch"/>, when given, follows in the same list with framework <c>pytorch</c>.</summary>
    public static string Write(IEnumerable<BenchResult> results, string framework, IEnumerable<BenchResult>? pytorch = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = new JsonArray();
        foreach (var (r, from) in results.Select(r => (r, framework)).Concat((pytorch ?? []).Select(r => (r, "pytorch"))))
        {
            var o = new JsonObject { ["name"] = r.Name, ["variant"] = r.Variant, ["framework"] = from };
            foreach (var (unit, value) in r.Figures)
            {
                o[unit] = double.IsFinite(value) ? JsonValue.Create(value) : null;
            }
            o["note"] = r.Note;
            list.Add(o);
        }
        return list.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads results written by <see cref="Write"/> or by the PyTorch reference.</summary>
    /// <exception cref="FormatException">The text is not a list of such objects.</exception>
    public static IReadOnlyList<BenchResult> Read(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"benchmark JSON does not parse: {e.Message}", e);
        }
        if (root is not JsonArray array)
        {
            throw new FormatException("benchmark JSON must be a list of objects");
        }
        var results = new List<BenchResult>();
        foreach (var node in array)
        {
            if (node is not JsonObject o || o["name"]?.GetValue<string>() is not { } name)
            {
                throw new FormatException("each benchmark result needs a \"name\"");
            }
            var figures = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (string unit in BenchResult.Units)
            {
                if (o.TryGetPropertyValue(unit, out var v))
                {
                    figures[unit] = v is null ? double.NaN : v.GetValue<double>();
                }
            }
            results.Add(new BenchResult(name, o["variant"]?.GetValue<string>() ?? "", figures, o["note"]?.GetValue<string>() ?? ""));
        }
        return results;
    }

    /// <summary>A figure as the console table shows it.</summary>
    public static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "F0" : "G3", CultureInfo.InvariantCulture);
}
