namespace ContrastiveLab.Data;

/// <summary>
/// Reads MNIST and Fashion-MNIST from a folder holding the four official IDX files
/// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each gzipped with a <c>.gz</c> suffix or not), and the bundled
/// Fashion-MNIST subset from this assembly's resources.
/// </summary>
public static class IdxDatasetReader
{
    /// <summary>Fashion-MNIST's class names, by label.</summary>
    public static readonly IReadOnlyList<string> FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>MNIST's class names (the digits), by label.</summary>
    public static readonly IReadOnlyList<string> MnistClasses = [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The official file stems of each split: (split, IDX prefix).</summary>
    public static readonly IReadOnlyList<(string Split, string Prefix)> SplitPrefixes = [("train", "train"), ("test", "t10k")];

    /// <summary>Resource name prefix of the bundled subset's files.</summary>
    private const string SubsetResource = "ContrastiveLab.Data.fashion-mnist-subset.";

    /// <summary>Reads <c>mnist</c> or <c>fashion-mnist</c> (by <paramref name="name"/>) from <paramref name="folder"/>.</summary>
    public static ImageDataset Read(string name, string folder)
    {
        var classes = name == "mnist" ? MnistClasses : FashionMnistClasses;
        var splits = SplitPrefixes
            .Select(s => IdxReader.ReadSplit(s.Split, Find(folder, $"{s.Prefix}-images-idx3-ubyte"), Find(folder, $"{s.Prefix}-labels-idx1-ubyte"), classes))
            .ToList();
        return new ImageDataset(name, splits);
    }

    /// <summary>Whether <paramref name="folder"/> holds the training images file, gzipped or not.</summary>
    public static bool Holds(string folder) =>
        File.Exists(Path.Combine(folder, "train-images-idx3-ubyte.gz")) || File.Exists(Path.Combine(folder, "train-images-idx3-ubyte"));

    /// <summary>Reads the Fashion-MNIST subset bundled in this assembly (see data/fashion-mnist-subset/README.md).</summary>
    public static ImageDataset ReadBundledSubset()
    {
        var assembly = typeof(IdxDatasetReader).Assembly;
        var splits = new List<ImageSplit>();
        foreach (var (split, prefix) in SplitPrefixes)
        {
            string images = $"{prefix}-images-idx3-ubyte.gz", labels = $"{prefix}-labels-idx1-ubyte.gz";
            using var imageStream = assembly.GetManifestResourceStream(SubsetResource + images)
                ?? throw new DatasetNotFoundException($"the bundled fashion-mnist-subset lacks {images}: this build was made without data/fashion-mnist-subset/");
            using var labelStream = assembly.GetManifestResourceStream(SubsetResource + labels)
                ?? throw new DatasetNotFoundException($"the bundled fashion-mnist-subset lacks {labels}: this build was made without data/fashion-mnist-subset/");
            splits.Add(IdxReader.ReadSplit(split, imageStream, $"(bundled) {images}", labelStream, $"(bundled) {labels}", FashionMnistClasses));
        }
        return new ImageDataset(DatasetCatalog.DefaultDataset, splits);
    }

    private static string Find(string folder, string stem)
    {
        foreach (string candidate in new[] { stem + ".gz", stem })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new DataFormatException(folder, $"has no {stem}.gz (or {stem})");
    }
}
