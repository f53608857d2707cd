using System.Reflection;

namespace ContrastiveLab.Data;

/// <summary>
/// Reads image-folder datasets: <c>folder</c> (one split, <c>root/&lt;class&gt;/&lt;image&gt;</c>) and
/// <c>imagenet100</c> (<c>root/train</c> and <c>root/val</c>, each <c>&lt;wnid&gt;/&lt;image&gt;</c>, restricted to
/// the 100 classes of the ImageNet100 list). Classes are the class folders present, in ordinal order, and a
/// label is the index in that order (as torchvision's ImageFolder). Every image is decoded by content and kept
/// at its decoded size as RGB (3, H, W); nothing is resized here, cropping is the augmentation's job.
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
        var images = new List<byte[]>();
        var shapes = new List<ImageShape>();
        var labels = new List<int>();
        long total = 0;
        for (int label = 0; label < classes.Count; label++)
        {
            string folder = Path.Combine(root, classes[label]);
            var files = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList()
                : [];
            int kept = 0;
            foreach (string file in files)
            {
                byte[] pixels;
                ImageShape shape;
                try
                {
                    (pixels, shape) = ImageDecoder.DecodeRgb(File.ReadAllBytes(file), file);
                }
                catch (DataFormatException e) when (options.SkipUndecodable)
                {
                    options.OnSkipped?.Invoke(file, e.Problem);
                    continue;
                }
                total += pixels.Length;
                if (total > Array.MaxLength)
                {
                    throw new DataFormatException(root, "decoded images exceed one in-memory buffer (2 GiB); use a smaller folder");
                }
                images.Add(pixels);
                shapes.Add(shape);
                labels.Add(label);
                kept++;
            }
            if (kept == 0)
            {
                throw new DataFormatException(folder, files.Count == 0 ? "empty class folder" : "no decodable images in class folder");
            }
        }
        var all = new byte[total];
        long at = 0;
        foreach (var image in images)
        {
            image.CopyTo(all, at);
            at += image.Length;
        }
        return new ImageSplit(split, all, [.. shapes], [.. labels], classes);
    }

    private static IReadOnlyList<string> LoadImageNet100Classes()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ContrastiveLab.Data.imagenet100_classes.txt")
            ?? throw new InvalidOperationException("the ImageNet100 class list is missing from the assembly");
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
    }
}
