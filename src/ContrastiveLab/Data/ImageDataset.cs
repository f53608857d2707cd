namespace ContrastiveLab.Data;

/// <summary>A named dataset: its splits (train first) in memory.</summary>
/// <param name="Name">The dataset name as the CLI and configs spell it, e.g. <c>cifar10</c>.</param>
/// <param name="Splits">The splits, train first, then test or val.</param>
public sealed record ImageDataset(string Name, IReadOnlyList<ImageSplit> Splits)
{
    /// <summary>The split called <paramref name="name"/>; throws when the dataset has none.</summary>
    public ImageSplit this[string name] =>
        Splits.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"dataset {Name} has no split '{name}' (it has {string.Join(", ", Splits.Select(s => s.Name))})");
}
