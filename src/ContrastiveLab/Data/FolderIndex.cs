using System.Buffers;
using ContrastiveLab.IO;

namespace ContrastiveLab.Data;

/// <summary>
/// The index of one split of an image folder: each decodable image's path (relative to the split's folder), label and
/// decoded shape, and the files that are not decodable images. Building it decodes every file once (in parallel), so
/// a damaged file is found before training starts, not in the middle of an epoch; it is then cached beside the data
/// in <see cref="FileName"/> and reused while the folder is unchanged (the same class folders, file names, sizes and
/// modification times), so later runs read only file listings before they start.
/// </summary>
/// <param name="Stamp">What the index was built from: a hash of the class folders and every file's name, size and time.</param>
/// <param name="Entries">The decodable images, by class, then by file name (ordinal).</param>
/// <param name="Skipped">The files that are not decodable images, with the reason.</param>
internal sealed record FolderIndex(string Stamp, IReadOnlyList<FolderIndex.Entry> Entries, IReadOnlyList<FolderIndex.Problem> Skipped)
{
    /// <summary>The cache file in the split's folder (hidden: class listings skip names starting with a dot).</summary>
    public const string FileName = ".contrastivelab-index.json";

    // Bumped when the index's meaning changes, so an old cache is rebuilt rather than misread.
    private const string Version = "1";

    /// <summary>One decodable image.</summary>
    public sealed record Entry(string Path, int Label, int Height, int Width);

    /// <summary>One file that is not a decodable image.</summary>
    public sealed record Problem(string Path, string Reason);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The index of <paramref name="root"/>'s <paramref name="classes"/> folders: the cached one when still valid, else built (and cached when the folder is writable).</summary>
    public static FolderIndex For(string root, IReadOnlyList<string> classes)
    {
        var files = classes.Select(c => ListFiles(Path.Combine(root, c))).ToList();
        string stamp = StampOf(root, classes, files);
        var listed = files.SelectMany(list => list.Select(f => Path.GetRelativePath(root, f))).ToHashSet(StringComparer.Ordinal);
        return TryLoad(root, stamp, listed) ?? Build(root, classes, files, stamp);
    }

    private static List<string> ListFiles(string folder) => Directory.Exists(folder)
        ? [.. Directory.EnumerateFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)]
        : [];

    private static string StampOf(string root, IReadOnlyList<string> classes, List<List<string>> files) =>
        CacheFile.Stamp(Version, Enumerable.Range(0, classes.Count).SelectMany(label =>
            files[label].Select(f => $"{label}\t{CacheFile.FileLine(Path.GetRelativePath(root, f), f)}").Append(classes[label])));

    private static FolderIndex? TryLoad(string root, string stamp, HashSet<string> listed)
    {
        var index = CacheFile.TryRead<FolderIndex>(Path.Combine(root, FileName), Json);
        // A cache of another folder state, or one damaged, is rebuilt: it is a cache, never the only copy. Every path it
        // names must be a file listed now, so a hand-edited cache cannot point outside the folder.
        return index is { Entries: not null, Skipped: not null } && index.Stamp == stamp
            && index.Entries.All(e => e.Path is not null && listed.Contains(e.Path) && e.Height > 0 && e.Width > 0 && (long)e.Height * e.Width <= ImageDecoder.MaxPixels)
            && index.Skipped.All(p => p.Path is not null && listed.Contains(p.Path) && p.Reason is not null)
            ? index
            : null;
    }

    private static FolderIndex Build(string root, IReadOnlyList<string> classes, List<List<string>> files, string stamp)
    {
        var all = files.SelectMany((list, label) => list.Select(f => (File: f, Label: label))).ToArray();
        var results = new (ImageShape? Shape, string? Problem)[all.Length];
        Parallel.For(0, all.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                // Decoded only to be checked: the pixels go back to the pool at once.
                var (pixels, shape) = ImageDecoder.DecodeRgb(File.ReadAllBytes(all[i].File), all[i].File, ArrayPool<byte>.Shared);
                ArrayPool<byte>.Shared.Return(pixels);
                results[i] = (shape, null);
            }
            catch (DataFormatException e)
            {
                results[i] = (null, e.Problem);
            }
        });
        var entries = new List<Entry>();
        var skipped = new List<Problem>();
        for (int i = 0; i < all.Length; i++)
        {
            string relative = Path.GetRelativePath(root, all[i].File);
            if (results[i].Shape is { } shape)
            {
                entries.Add(new Entry(relative, all[i].Label, shape.Height, shape.Width));
            }
            else
            {
                skipped.Add(new Problem(relative, results[i].Problem!));
            }
        }
        var index = new FolderIndex(stamp, entries, skipped);
        // A read-only dataset folder is indexed again next time.
        CacheFile.TryWrite(Path.Combine(root, FileName), JsonSerializer.Serialize(index, Json));
        return index;
    }
}
