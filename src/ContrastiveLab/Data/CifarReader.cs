namespace ContrastiveLab.Data;

/// <summary>
/// Reads the official binary CIFAR-10 and CIFAR-100 releases, from the <c>.tar.gz</c> or its extracted folder.
/// A CIFAR-10 record is 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B, each 32×32 row-major, which
/// is already (C, H, W)); a CIFAR-100 record is a coarse byte, a fine byte, then the 3072 pixel bytes.
/// Labels are the fine labels; CIFAR-100's coarse labels are kept in <see cref="ImageSplit.CoarseLabels"/>.
/// </summary>
public static class CifarReader
{
    /// <summary>Shape of every CIFAR image.</summary>
    public static readonly ImageShape Shape = new(3, 32, 32);

    /// <summary>Name of the CIFAR-10 archive and the folder inside it.</summary>
    public const string Cifar10Archive = "cifar-10-binary.tar.gz";

    /// <summary>Name of the folder inside the CIFAR-10 archive.</summary>
    public const string Cifar10Folder = "cifar-10-batches-bin";

    /// <summary>Name of the CIFAR-100 archive.</summary>
    public const string Cifar100Archive = "cifar-100-binary.tar.gz";

    /// <summary>Name of the folder inside the CIFAR-100 archive.</summary>
    public const string Cifar100Folder = "cifar-100-binary";

    /// <summary>Reads CIFAR-10 from <paramref name="path"/>: the archive, the extracted folder, or a folder holding either.</summary>
    public static ImageDataset ReadCifar10(string path)
    {
        var files = Open(path, Cifar10Archive, Cifar10Folder);
        var names = LabelNames(files, "batches.meta.txt", 10);
        var train = ReadRecords("train", files, [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")], names, coarse: false);
        var test = ReadRecords("test", files, ["test_batch.bin"], names, coarse: false);
        return new ImageDataset("cifar10", [train, test]);
    }

    /// <summary>Reads CIFAR-100 (fine labels, coarse kept) from the archive, the extracted folder, or a folder holding either.</summary>
    public static ImageDataset ReadCifar100(string path)
    {
        var files = Open(path, Cifar100Archive, Cifar100Folder);
        var names = LabelNames(files, "fine_label_names.txt", 100);
        var train = ReadRecords("train", files, ["train.bin"], names, coarse: true);
        var test = ReadRecords("test", files, ["test.bin"], names, coarse: true);
        return new ImageDataset("cifar100", [train, test]);
    }

    /// <summary>Where the data lives: either an in-memory archive or a folder; <c>Load</c> fetches one file by name.</summary>
    private sealed record Source(string Where, Func<string, byte[]?> Load);

    private static Source Open(string path, string archive, string folder)
    {
        if (Directory.Exists(path))
        {
            foreach (string dir in new[] { path, Path.Combine(path, folder) })
            {
                if (HasBin(dir))
                {
                    return new Source(dir, name => File.Exists(Path.Combine(dir, name)) ? File.ReadAllBytes(Path.Combine(dir, name)) : null);
                }
            }
            string inside = Path.Combine(path, archive);
            if (File.Exists(inside))
            {
                path = inside;
            }
            else
            {
                throw new DataFormatException(path, $"holds neither {archive} nor a {folder} folder of .bin files");
            }
        }
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "no such file or folder");
        }
        var entries = TarArchive.ReadFiles(path, name => name.StartsWith(folder + "/", StringComparison.Ordinal));
        return new Source(path, name => entries.GetValueOrDefault($"{folder}/{name}"));
    }

    private static bool HasBin(string dir) =>
        Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.bin").Any();

    private static IReadOnlyList<string> LabelNames(Source source, string file, int count)
    {
        var bytes = source.Load(file);
        var names = bytes is null
            ? []
            : System.Text.Encoding.UTF8.GetString(bytes).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        // A missing or short names file is no reason to refuse the pixels: fall back to the label numbers.
        return names.Count == count ? names : [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static ImageSplit ReadRecords(string split, Source source, string[] files, IReadOnlyList<string> names, bool coarse)
    {
        int head = coarse ? 2 : 1;
        int record = head + Shape.Size;
        var chunks = new List<byte[]>();
        foreach (string file in files)
        {
            var bytes = source.Load(file) ?? throw new DataFormatException(source.Where, $"has no {file}");
            if (bytes.Length == 0 || bytes.Length % record != 0)
            {
                throw new DataFormatException($"{source.Where}/{file}", $"{bytes.Length} bytes is not a whole number of {record}-byte records (truncated?)");
            }
            chunks.Add(bytes);
        }
        int count = chunks.Sum(c => c.Length / record);
        var pixels = new byte[(long)count * Shape.Size];
        var labels = new int[count];
        int[]? coarseLabels = coarse ? new int[count] : null;
        int n = 0;
        for (int f = 0; f < files.Length; f++)
        {
            var bytes = chunks[f];
            for (int r = 0; r < bytes.Length / record; r++, n++)
            {
                int at = r * record;
                int fine = bytes[at + head - 1];
                if (fine >= names.Count || (coarse && bytes[at] >= 20))
                {
                    throw new DataFormatException($"{source.Where}/{files[f]}", $"record {r} has label {fine}{(coarse ? $" (coarse {bytes[at]})" : "")} out of range 0..{names.Count - 1}{(coarse ? " (coarse 0..19)" : "")}");
                }
                labels[n] = fine;
                if (coarseLabels is not null)
                {
                    coarseLabels[n] = bytes[at];
                }
                Buffer.BlockCopy(bytes, at + head, pixels, n * Shape.Size, Shape.Size);
            }
        }
        return new ImageSplit(split, pixels, Shape, labels, names, coarseLabels);
    }
}
