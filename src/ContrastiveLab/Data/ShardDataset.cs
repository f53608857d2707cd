using System.Buffers;
using System.Formats.Tar;
using System.Text.RegularExpressions;
using ContrastiveLab.IO;
using SkiaSharp;

namespace ContrastiveLab.Data;

/// <summary>
/// A dataset as tar shards in the WebDataset layout, for clusters whose shared filesystems are slow with many small
/// files: <c>DIR/dataset.json</c> (name, channels, class names), then per split <c>DIR/SPLIT/000000.tar</c>,
/// <c>000001.tar</c>… each holding samples <c>KEY.jpg</c> (or <c>KEY.png</c>) with <c>KEY.cls</c>, the label as
/// decimal text. KEY is the image's index in its split, so the shards keep the dataset's order and a run reads the
/// same images in the same order from its folder and from its shards. Image files are copied as they are; images held
/// as pixel arrays (CIFAR, SVHN, MNIST) are stored as lossless PNG.
/// </summary>
public static partial class ShardDataset
{
    /// <summary>The description file in a shard folder.</summary>
    public const string DescriptionFile = "dataset.json";

    /// <summary>The largest entry a shard may hold (an image file), checked before anything is read.</summary>
    public const long MaxEntryBytes = 256L * 1024 * 1024;

    [GeneratedRegex(@"^(\d{1,12})\.(jpg|png|cls)$")]
    private static partial Regex EntryName();

    private sealed record Description(string Name, int Channels, List<string> Classes);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>True when <paramref name="directory"/> is a shard folder (it holds <see cref="DescriptionFile"/>).</summary>
    public static bool Holds(string directory) => File.Exists(Path.Combine(directory, DescriptionFile));

    /// <summary>Writes every split of <paramref name="data"/> as shards of at most about <paramref name="shardBytes"/> bytes under <paramref name="outDirectory"/>; returns the shard files written.</summary>
    public static IReadOnlyList<string> Write(ImageDataset data, string outDirectory, long shardBytes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardBytes, 1024);
        var first = data.Splits[0];
        int channels = first.Count > 0 ? first.Shape(0).Channels : 3;
        var written = new List<string>();
        Directory.CreateDirectory(outDirectory);
        foreach (var split in data.Splits)
        {
            string folder = Directory.CreateDirectory(Path.Combine(outDirectory, split.Name)).FullName;
            int shard = 0, i = 0, firstOfSplit = written.Count;
            while (i < split.Count)
            {
                string path = Path.Combine(folder, shard.ToString("D6", CultureInfo.InvariantCulture) + ".tar");
                AtomicFile.Write(path, stream =>
                {
                    using var tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true);
                    long size = 0;
                    do
                    {
                        var (bytes, format) = split.Encoded?.Invoke(i) ?? (Png(split, i), "png");
                        string key = i.ToString("D6", CultureInfo.InvariantCulture);
                        Add(tar, $"{key}.{(format == "jpeg" ? "jpg" : "png")}", bytes);
                        Add(tar, $"{key}.cls", Encoding.ASCII.GetBytes(split.Labels[i].ToString(CultureInfo.InvariantCulture)));
                        size += bytes.Length + 3 * 512;
                        i++;
                    }
                    while (i < split.Count && size < shardBytes);
                });
                written.Add(path);
                shard++;
            }
            // The shapes are known here, so the first read need not decode every image to learn them.
            SaveShapes(folder, ShapeStamp(written[firstOfSplit..], channels), [.. Enumerable.Range(0, split.Count).Select(split.Shape)]);
        }
        // Written last: a folder without it is not taken for a complete shard folder.
        AtomicFile.WriteAllText(Path.Combine(outDirectory, DescriptionFile),
            JsonSerializer.Serialize(new Description(data.Name, channels, [.. first.ClassNames]), Json));
        return written;
    }

    private static void Add(TarWriter tar, string name, byte[] bytes)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes), ModificationTime = DateTimeOffset.UnixEpoch };
        tar.WriteEntry(entry);
    }

    // An image held as pixels, as a lossless PNG (grey for one channel, RGB for three): decoding it gives the pixels back.
    private static byte[] Png(ImageSplit split, int index)
    {
        var shape = split.Shape(index);
        var hwc = split.ImageHwc(index);
        var info = new SKImageInfo(shape.Width, shape.Height, shape.Channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        byte[] pixels = hwc;
        if (shape.Channels == 3)
        {
            pixels = new byte[shape.Height * shape.Width * 4];
            for (int p = 0; p < shape.Height * shape.Width; p++)
            {
                (pixels[4 * p], pixels[(4 * p) + 1], pixels[(4 * p) + 2], pixels[(4 * p) + 3]) = (hwc[3 * p], hwc[(3 * p) + 1], hwc[(3 * p) + 2], 255);
            }
        }
        using var image = SKImage.FromPixelCopy(info, pixels);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Reads a shard folder written by <see cref="Write"/>: each split decodes its images on demand.</summary>
    /// <exception cref="DataFormatException">A shard or the description is damaged; the message names the file and, for a sample, its key.</exception>
    /// <param name="directory">The shard folder.</param>
    /// <param name="options">With <see cref="FolderDatasetOptions.SkipUndecodable"/>, samples whose image does not decode
    /// are left out (each reported to <see cref="FolderDatasetOptions.OnSkipped"/>) instead of refusing the split.</param>
    public static ImageDataset Read(string directory, FolderDatasetOptions? options = null)
    {
        string descriptionPath = Path.Combine(directory, DescriptionFile);
        Description description;
        try
        {
            description = JsonSerializer.Deserialize<Description>(File.ReadAllText(descriptionPath), Json)
                ?? throw new DataFormatException(descriptionPath, "empty description");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(descriptionPath, $"not a shard description ({e.Message.Split('\n')[0]})");
        }
        if (description.Classes is not { Count: > 0 } || description.Channels is not (1 or 3))
        {
            throw new DataFormatException(descriptionPath, "needs 'classes' (a non-empty list) and 'channels' (1 or 3)");
        }
        var splits = Directory.GetDirectories(directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => n is "train" or "val" or "test").OrderBy(n => n == "train" ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal)
            .Select(n => ReadSplit(n, Path.Combine(directory, n), description, options ?? FolderDatasetOptions.Strict))
            .ToList();
        if (splits.Count == 0 || splits[0].Name != "train")
        {
            throw new DataFormatException(directory, "a shard folder needs a train/ folder of .tar shards");
        }
        return new ImageDataset(description.Name, splits);
    }

    private static ImageSplit ReadSplit(string name, string folder, Description description, FolderDatasetOptions options)
    {
        var images = new SortedDictionary<long, (string Shard, long Offset, long Length)>();
        var labels = new Dictionary<long, int>();
        var shards = Directory.GetFiles(folder, "*.tar").Order(StringComparer.Ordinal).ToList();
        if (shards.Count == 0)
        {
            throw new DataFormatException(folder, "no .tar shards");
        }
        foreach (string shard in shards)
        {
            try
            {
                using var stream = File.OpenRead(shard);
                using var tar = new TarReader(stream);
                while (tar.GetNextEntry(copyData: false) is { } entry)
                {
                    if (entry.EntryType is TarEntryType.Directory)
                    {
                        continue;
                    }
                    var match = EntryName().Match(entry.Name);
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !match.Success)
                    {
                        throw new DataFormatException(shard, $"entry '{Core.Excerpt.Of(entry.Name)}' is not KEY.jpg, KEY.png or KEY.cls");
                    }
                    long key = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                    string kind = match.Groups[2].Value;
                    if (entry.Length > (kind == "cls" ? 32 : MaxEntryBytes))
                    {
                        throw new DataFormatException(shard, $"entry '{entry.Name}' is {entry.Length} bytes, more than a {(kind == "cls" ? "label" : "image")} may be");
                    }
                    if (kind == "cls")
                    {
                        using var reader = new StreamReader(entry.DataStream!, Encoding.ASCII);
                        string text = reader.ReadToEnd().Trim();
                        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int label) || label >= description.Classes.Count)
                        {
                            throw new DataFormatException(shard, $"entry '{entry.Name}' is not a label from 0 to {description.Classes.Count - 1}");
                        }
                        if (!labels.TryAdd(key, label))
                        {
                            throw new DataFormatException(shard, $"sample {key} has two labels");
                        }
                    }
                    else if (!images.TryAdd(key, (shard, entry.DataOffset, entry.Length)))
                    {
                        throw new DataFormatException(shard, $"sample {key} has two images");
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or OverflowException)
            {
                throw new DataFormatException(shard, $"not a readable tar shard ({e.Message.Split('\n')[0]})");
            }
        }
        var missing = images.Keys.FirstOrDefault(k => !labels.ContainsKey(k), -1);
        if (missing >= 0)
        {
            throw new DataFormatException(images[missing].Shard, $"sample {missing} has no .cls label");
        }
        var orphan = labels.Keys.Order().FirstOrDefault(k => !images.ContainsKey(k), -1);
        if (orphan >= 0)
        {
            throw new DataFormatException(folder, $"sample {orphan} has a label but no image");
        }
        var samples = images.Select(p => (Key: p.Key, p.Value.Shard, p.Value.Offset, p.Value.Length, Label: labels[p.Key])).ToArray();
        // Each shard is read through one handle, opened on first use and kept (by the check below and by training): on a
        // cluster filesystem an open per sample would be the per-file cost that shards exist to avoid. Reads by offset
        // share it across threads.
        var handles = new System.Collections.Concurrent.ConcurrentDictionary<string, Microsoft.Win32.SafeHandles.SafeFileHandle>(StringComparer.Ordinal);
        Microsoft.Win32.SafeHandles.SafeFileHandle open(string shard) => handles.GetOrAdd(shard, path => File.OpenHandle(path));
        // Every image is decoded once, in parallel, for its shape and to find a damaged one before training; the shapes
        // are then cached beside the shards, and reused while the shards are unchanged.
        string stamp = ShapeStamp(shards, description.Channels);
        var shapes = LoadShapes(folder, stamp, samples.Length);
        if (shapes is null)
        {
            shapes = new ImageShape[samples.Length];
            var damaged = new DataFormatException?[samples.Length];
            Parallel.For(0, samples.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                try
                {
                    // Decoded only to be checked: the pixels go back to the pool at once.
                    var (pixels, shape) = Decode(samples[i].Shard, samples[i].Key, samples[i].Offset, samples[i].Length, description.Channels, open, ArrayPool<byte>.Shared);
                    ArrayPool<byte>.Shared.Return(pixels);
                    shapes[i] = shape;
                }
                catch (DataFormatException e)
                {
                    damaged[i] = e;
                }
            });
            var bad = Enumerable.Range(0, samples.Length).Where(i => damaged[i] is not null).ToList();
            if (bad.Count == 0)
            {
                SaveShapes(folder, stamp, shapes);
            }
            else if (!options.SkipUndecodable)
            {
                // The first damaged sample's own one-line error.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(damaged[bad[0]]!);
            }
            else
            {
                foreach (int i in bad)
                {
                    options.OnSkipped?.Invoke(damaged[i]!.FilePath, damaged[i]!.Problem);
                }
                var kept = Enumerable.Range(0, samples.Length).Where(i => damaged[i] is null).ToArray();
                (samples, shapes) = ([.. kept.Select(i => samples[i])], [.. kept.Select(i => shapes[i])]);
            }
        }
        return new ImageSplit(name, shapes, [.. samples.Select(s => s.Label)], description.Classes,
            (i, pool, region) => Decode(samples[i].Shard, samples[i].Key, samples[i].Offset, samples[i].Length, description.Channels, open, pool, region, shapes[i]).Pixels);
    }

    // Read through the split's kept shard handles. With a pool, the sample's bytes and its pixels go through rented
    // buffers (see ImageLoad). With a region, only that region is decoded; the sample must still have the shape it had
    // when the shards were opened.
    private static (byte[] Pixels, ImageShape Shape) Decode(string shard, long key, long offset, long length, int channels,
        Func<string, Microsoft.Win32.SafeHandles.SafeFileHandle> handles, ArrayPool<byte>? pool = null, ImageRegion? region = null, ImageShape? opened = null)
    {
        var bytes = pool?.Rent((int)length) ?? new byte[length];
        try
        {
            Microsoft.Win32.SafeHandles.SafeFileHandle handle;
            try
            {
                handle = handles(shard);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new DataFormatException(shard, "missing since the shards were opened; start the run again");
            }
            if (RandomAccess.Read(handle, bytes.AsSpan(0, (int)length), offset) != length)
            {
                throw new DataFormatException(shard, $"sample {key} is cut short");
            }
            string name = $"{shard} (sample {key})";
            var (rgb, shape) = region is { } r
                ? ImageDecoder.DecodeRgbRegion(bytes.AsSpan(0, (int)length), name, r, pool, opened)
                : ImageDecoder.DecodeRgb(bytes.AsSpan(0, (int)length), name, pool);
            var grey = new ImageShape(1, shape.Height, shape.Width);
            if (rgb is null)
            {
                throw new DataFormatException(name, $"changed since the shards were opened: {shape.Width}x{shape.Height} now");
            }
            if (channels == 3)
            {
                return (rgb, shape);
            }
            // A grey PNG decodes to three equal planes; the dataset's one channel is the first (a rented buffer already
            // starts with it).
            int plane = region is { } g ? g.Height * g.Width : shape.Height * shape.Width;
            return (pool is null ? rgb[..plane] : rgb, grey);
        }
        finally
        {
            pool?.Return(bytes);
        }
    }

    // The cache of a split's image shapes, and what it was built from: every shard's name, size and time, and the
    // dataset's channels.
    private sealed record ShapeCache(string Stamp, int[][] Shapes);

    private static string ShapeStamp(List<string> shards, int channels) =>
        CacheFile.Stamp("shapes 1", shards.Select(shard => CacheFile.FileLine(Path.GetFileName(shard), shard)).Prepend(channels.ToString(CultureInfo.InvariantCulture)));

    // The cached shapes when they were made from these shards, else null (a damaged or foreign cache is rebuilt).
    private static ImageShape[]? LoadShapes(string folder, string stamp, int count)
    {
        var cache = CacheFile.TryRead<ShapeCache>(Path.Combine(folder, FolderIndex.FileName), Json);
        return cache is { Shapes: not null } && cache.Stamp == stamp && cache.Shapes.Length == count
            && cache.Shapes.All(s => s is [1 or 3, > 0, > 0] && (long)s[1] * s[2] <= ImageDecoder.MaxPixels)
            ? [.. cache.Shapes.Select(s => new ImageShape(s[0], s[1], s[2]))]
            : null;
    }

    // Read-only shards are checked again next time.
    private static void SaveShapes(string folder, string stamp, ImageShape[] shapes) =>
        CacheFile.TryWrite(Path.Combine(folder, FolderIndex.FileName),
            JsonSerializer.Serialize(new ShapeCache(stamp, [.. shapes.Select(s => s.ToArray())]), new JsonSerializerOptions(Json) { WriteIndented = false }));
}
