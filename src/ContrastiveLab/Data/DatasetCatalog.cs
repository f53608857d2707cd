namespace ContrastiveLab.Data;

/// <summary>
/// Dataset names the CLI and configs use, and where each is looked for: <c>--data-path</c> when given; otherwise
/// <c>&lt;data-dir&gt;/&lt;name&gt;</c>, then <c>&lt;data-dir&gt;</c> itself, then well-known system locations
/// (Debian's <c>/usr/share/datasets/fashion-mnist</c>). Nothing is downloaded: a dataset that is not found
/// raises <see cref="DatasetNotFoundException"/> saying which file to put where and its official URL.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>The dataset used when none is named: the Fashion-MNIST subset bundled in the assembly.</summary>
    public const string DefaultDataset = "fashion-mnist-subset";

    private sealed record Entry(string Name, string Wanted, string Url, string[] WellKnown, Func<string, bool> Holds, Func<string, FolderDatasetOptions, ImageDataset> Read);

    private static readonly Entry[] Entries =
    [
        new("fashion-mnist", "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", ["/usr/share/datasets/fashion-mnist"],
            IdxDatasetReader.Holds, (p, _) => IdxDatasetReader.Read("fashion-mnist", p)),
        new("mnist", "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
            "https://yann.lecun.com/exdb/mnist/", ["/usr/share/datasets/mnist"],
            IdxDatasetReader.Holds, (p, _) => IdxDatasetReader.Read("mnist", p)),
        new("cifar10", CifarReader.Cifar10Archive, "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", [],
            d => File.Exists(Path.Combine(d, CifarReader.Cifar10Archive)) || Directory.Exists(Path.Combine(d, CifarReader.Cifar10Folder)),
            (p, _) => CifarReader.ReadCifar10(p)),
        new("cifar100", CifarReader.Cifar100Archive, "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", [],
            d => File.Exists(Path.Combine(d, CifarReader.Cifar100Archive)) || Directory.Exists(Path.Combine(d, CifarReader.Cifar100Folder)),
            (p, _) => CifarReader.ReadCifar100(p)),
        new("svhn", "train_32x32.mat and test_32x32.mat", "http://ufldl.stanford.edu/housenumbers/", [],
            d => File.Exists(Path.Combine(d, "train_32x32.mat")), (p, _) => SvhnReader.Read(p)),
        new("imagenet100", "the ImageNet train/ and val/ class folders (at least the 100 classes of ImageNet100)",
            "https://image-net.org/download.php (registration required)", [],
            d => Directory.Exists(Path.Combine(d, "train")) && Directory.Exists(Path.Combine(d, "val")),
            (p, o) => FolderDatasetReader.ReadImageNet100(p, o)),
        new("folder", "", "", [], _ => false, (p, o) => FolderDatasetReader.ReadFolder(p, o)),
    ];

    /// <summary>Every dataset name accepted by <see cref="Load"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [DefaultDataset, .. Entries.Select(e => e.Name)];

    /// <summary>The per-user cache folder: <c>$XDG_CACHE_HOME/contrastivelab</c>, else <c>~/.cache/contrastivelab</c>.</summary>
    public static string DefaultDataDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string cache = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "contrastivelab");
    }

    /// <summary>Finds and reads the dataset <paramref name="name"/>.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="path">The dataset's file or folder; when given, no other place is searched.</param>
    /// <param name="dataDirectory">Where downloaded datasets live; null for <see cref="DefaultDataDirectory"/>.</param>
    /// <param name="options">Folder dataset options (skipping undecodable images).</param>
    /// <param name="download">Called when the dataset is not found anywhere and the publisher's files can be fetched:
    /// receives the dataset's files and the folder to put them in (see <see cref="DatasetDownloader"/>). Null: never download.</param>
    public static ImageDataset Load(string name, string? path = null, string? dataDirectory = null, FolderDatasetOptions? options = null,
        Action<IReadOnlyList<DownloadItem>, string>? download = null)
    {
        options ??= FolderDatasetOptions.Strict;
        if (name == DefaultDataset)
        {
            return path is null ? IdxDatasetReader.ReadBundledSubset() : IdxDatasetReader.Read(DefaultDataset, path);
        }
        var entry = Entries.FirstOrDefault(e => e.Name == name)
            ?? throw new ArgumentException($"unknown dataset '{name}'; known: {string.Join(", ", Names)}", nameof(name));
        if (path is not null)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new DatasetNotFoundException($"{path}: no such file or folder");
            }
            // Any dataset can be read from the tar shards `contrastive data shard` wrote.
            return ShardDataset.Holds(path) ? ShardDataset.Read(path, options) : entry.Read(path, options);
        }
        if (entry.Name == "folder")
        {
            throw new DatasetNotFoundException("the folder dataset needs --data-path pointing at a root/<class>/<image> tree");
        }
        string dataDir = dataDirectory ?? DefaultDataDirectory();
        string[] candidates = [Path.Combine(dataDir, name), dataDir, .. entry.WellKnown];
        string? found = candidates.FirstOrDefault(d => Directory.Exists(d) && entry.Holds(d));
        if (found is null && download is not null && DatasetDownloader.Official.TryGetValue(name, out var items))
        {
            string target = Path.Combine(dataDir, name);
            download(items, target);
            found = entry.Holds(target) ? target : null;
        }
        if (found is null)
        {
            throw new DatasetNotFoundException(
                $"dataset {name} not found: put {entry.Wanted} (from {entry.Url}) in {Path.Combine(dataDir, name)}/, or pass --data-path");
        }
        return entry.Read(found, options);
    }
}
