namespace ContrastiveLab.Sweeps;

/// <summary>The sweep presets shipped in the repository's <c>presets/</c> folder, embedded in the assembly.</summary>
public static class SweepPresets
{
    private const string Prefix = "ContrastiveLab.Presets.";

    /// <summary>The preset <c>contrastive reproduce</c> runs without arguments.</summary>
    public const string Default = "cpu-quick";

    /// <summary>Names of every preset.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. typeof(SweepPresets).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".json".Length])
        .Order(StringComparer.Ordinal)];

    /// <summary>The preset <paramref name="name"/>.</summary>
    /// <exception cref="SweepException">No such preset; the message lists them.</exception>
    public static SweepFile Get(string name)
    {
        using var stream = typeof(SweepPresets).Assembly.GetManifestResourceStream(Prefix + name + ".json");
        if (stream is null)
        {
            string? guess = Core.Spelling.Suggest(name, Names);
            throw new SweepException($"unknown preset '{name}'" + (guess is null ? "" : $" (did you mean '{guess}'?)") + $"; presets: {string.Join(", ", Names)}");
        }
        using var reader = new StreamReader(stream);
        return SweepFile.Parse(reader.ReadToEnd(), $"preset {name}");
    }
}
