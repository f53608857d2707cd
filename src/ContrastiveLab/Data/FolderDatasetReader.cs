using System.Buffers;
using System.Reflection;

namespace ContrastiveLab.Data;

/// <summary>
/// Reads image-folder datasets: <c>folder</c> (one split, <c>root/&lt;class&gt;/&lt;image&gt;</c>) and
/// <c>imagenet100</c> (<c>root/train</c> and <c>root/val</c>, each <c>&lt;wnid&gt;/&lt;image&gt;</c>, restricted to
/// the 100 classes of the ImageNet100 list). Classes are the class folders present, in ordinal order, and a
/// label is the index in that order (as torchvision's ImageFolder). Images are decoded by content (JPEG or PNG,
/// whatever the extension) as RGB (3, H, W) at their own size, one at a time when the loader asks for them, so memory
/// does not grow with the folder (<see cref="FolderIndex"/> holds what is known beforehand); nothing is resized here,
/// cropping is the augmentation's job.
/// </summary>
public static class FolderDatasetReader
{
    private static readonly Lazy<IReadOnlyList<string>> ImageNet100 = new(LoadImageNet100Classes);

    /// <summary>The 100 ImageNet class ids (WordNet ids) of ImageNet100, in the list's order.</summary>
    public static IReadOnlyList<string> ImageNet100Classes => ImageNet100.Value;

    /// <summary>Reads <c>root/&lt;class&gt;/&lt;image&gt;</c> as one split named <c>train</c>.</summary>
    public static ImageDataset ReadFolder(string root, FolderDatasetOptions? options = null)
    {
        var classes = ClassFolders(root, allowed: null);
        return new ImageDataset("folder", [ReadSplit("train", root, classes, options ?? FolderDatasetOptions.Strict)]);
    }

    /// <summary>Reads <c>root/train</c> and <c>root/val</c>, keeping only the ImageNet100 classes.</summary>
    public static ImageDataset ReadImageNet100(string root, FolderDatasetOptions? options = null)
    {
        options ??= FolderDatasetOptions.Strict;
        var allowed = new HashSet<string>(ImageNet100Classes, StringComparer.Ordinal);
        string train = Path.Combine(root, "train"), val = Path.Combine(root, "val");
        var classes = ClassFolders(train, allowed);
        var valClasses = ClassFolders(val, allowed);
        var missing = classes.Except(valClasses).Concat(valClasses.Except(classes)).FirstOrDefault();
        if (missing is not null)
        {
            throw new DataFormatException(root, $"class folder '{missing}' is in only one of train/ and val/");
        }
        return new ImageDataset("imagenet100", [ReadSplit("train", train, classes, options), ReadSplit("val", val, classes, options)]);
    }

    private static List<string> ClassFolders(string root, HashSet<string>? allowed)
    {
        if (!Directory.Exists(root))
        {
            throw new DataFormatException(root, "missing folder");
        }
        var classes = Directory.EnumerateDirectories(root)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.') && (allowed is null || allowed.Contains(name)))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (classes.Count == 0)
        {
            throw new DataFormatException(root, allowed is null
                ? "has no class folders (expected root/<class>/<image>)"
                : "has none of the 100 ImageNet100 class folders (expected <wnid>/<image>)");
        }
        return classes;
    }

    private static ImageSplit ReadSplit(string split, string root, List<string> classes, FolderDatasetOptions options)
    {
        var index = FolderIndex.For(root, classes);
        foreach (var problem in index.Skipped)
        {
            string file = Path.Combine(root, problem.Path);
            if (!options.SkipUndecodable)
            {
                throw new DataFormatException(file, problem.Reason);
            }
            options.OnSkipped?.Invoke(file, problem.Reason);
        }
        for (int label = 0; label < classes.Count; label++)
        {
            if (!index.Entries.Any(e => e.Label == label))
            {
                string folder = Path.Combine(root, classes[label]);
                bool empty = !Directory.Exists(folder) || !Directory.EnumerateFiles(folder).Any(f => !Path.GetFileName(f).StartsWith('.'));
                throw new DataFormatException(folder, empty ? "empty class folder" : "no decodable images in class folder");
            }
        }
        var entries = index.Entries;
        var shapes = entries.Select(e => new ImageShape(3, e.Height, e.Width)).ToArray();
        return new ImageSplit(split, shapes, [.. entries.Select(e => e.Label)], classes, (i, pool, region) => Decode(root, entries[i], shapes[i], pool, region))
        {
            Encoded = i =>
            {
                byte[] bytes = File.ReadAllBytes(Path.Combine(root, entries[i].Path));
                return (bytes, ImageDecoder.Sniff(bytes) ?? throw new DataFormatException(Path.Combine(root, entries[i].Path), "undecodable image: neither JPEG nor PNG data"));
            },
        };
    }

    // One image (or a region of it), decoded when the loader asks for it; the index said what it must look like. With a
    // pool, the file's bytes and the pixels go through rented buffers (see ImageLoad).
    private static byte[] Decode(string root, FolderIndex.Entry entry, ImageShape expected, ArrayPool<byte>? pool, ImageRegion region)
    {
        string file = Path.Combine(root, entry.Path);
        byte[] bytes;
        int length;
        try
        {
            using var handle = File.OpenHandle(file);
            long size = RandomAccess.GetLength(handle);
            if (size > Array.MaxLength)
            {
                throw new DataFormatException(file, $"changed since the folder was indexed: {size} bytes is larger than any image file read here");
            }
            length = (int)size;
            bytes = pool?.Rent(length) ?? new byte[length];
            int read = 0, n;
            while (read < length && (n = RandomAccess.Read(handle, bytes.AsSpan(read, length - read), read)) > 0)
            {
                read += n;
            }
            length = read;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(file, $"missing since the folder was indexed ({FolderIndex.FileName}); start the run again to index it anew");
        }
        try
        {
            var (pixels, shape) = ImageDecoder.DecodeRgbRegion(bytes.AsSpan(0, length), file, region, pool, expected);
            return pixels ?? throw new DataFormatException(file, $"changed since the folder was indexed: {shape.Width}x{shape.Height} now, {expected.Width}x{expected.Height} in {FolderIndex.FileName}; start the run again to index it anew");
        }
        finally
        {
            pool?.Return(bytes);
        }
    }

    private static IReadOnlyList<string> LoadImageNet100Classes()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ContrastiveLab.Data.imagenet100_classes.txt")
            ?? throw new InvalidOperationException("the ImageNet100 class list is missing from the assembly");
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
    }
}
