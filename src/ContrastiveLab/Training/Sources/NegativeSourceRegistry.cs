namespace ContrastiveLab.Training.Sources;

/// <summary>The negative sources by name, as <see cref="Core.Losses.LossRegistry"/> holds the losses.</summary>
public static class NegativeSourceRegistry
{
    private static readonly object Gate = new();

    // One line per source. Copied on write, so a reader never sees a list being changed.
    private static IReadOnlyList<NegativeSourceInfo> _sources =
    [
        MemoryBankSource.Info,
        InBatchSource.Info,
        QueueSource.Info,
    ];

    /// <summary>The names of every registered source, in registration order.</summary>
    public static IReadOnlyList<string> Names => [.. _sources.Select(s => s.Name)];

    /// <summary>The source called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No source has that name; the message lists the known ones and suggests the nearest.</exception>
    public static NegativeSourceInfo Get(string name)
    {
        var sources = _sources;
        OptionChecks.OneOf("negatives", name, [.. sources.Select(s => s.Name)]);
        return sources.First(s => s.Name == name);
    }

    /// <summary>Adds a source (an extension's, or a test's); the name must be new.</summary>
    /// <exception cref="ArgumentException">A source of that name is registered already.</exception>
    public static void Register(NegativeSourceInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (Gate)
        {
            if (_sources.Any(s => s.Name == info.Name))
            {
                throw new ArgumentException($"a negative source called '{info.Name}' is registered already", nameof(info));
            }
            _sources = [.. _sources, info];
        }
    }
}
