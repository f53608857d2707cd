using ContrastiveLab.Data;

namespace ContrastiveLab.Augmentation;

/// <summary>An <see cref="ImageSplit"/> (or a subset of its images) as the loader's image source.</summary>
public sealed class ImageSplitSource : IImageSource
{
    private readonly ImageSplit _split;
    private readonly int[] _rows;

    /// <param name="split">The images.</param>
    /// <param name="rows">Which images to use, in this order (null: all).</param>
    public ImageSplitSource(ImageSplit split, int[]? rows = null)
    {
        _split = split;
        _rows = rows ?? [.. Enumerable.Range(0, split.Count)];
        if (_rows.Length == 0)
        {
            throw new ArgumentException($"split '{split.Name}' has no images", nameof(split));
        }
        Channels = split.Shape(_rows[0]).Channels;
        if (_rows.Any(r => split.Shape(r).Channels != Channels))
        {
            throw new ArgumentException($"split '{split.Name}' mixes grey and colour images", nameof(split));
        }
    }

    /// <summary>The first <paramref name="perClass"/> images of each class, in file order.</summary>
    public static ImageSplitSource FirstPerClass(ImageSplit split, int perClass)
    {
        var taken = new Dictionary<int, int>();
        var rows = new List<int>();
        for (int i = 0; i < split.Count; i++)
        {
            int label = split.Labels[i];
            taken.TryGetValue(label, out int n);
            if (n < perClass)
            {
                rows.Add(i);
                taken[label] = n + 1;
            }
        }
        return new ImageSplitSource(split, [.. rows]);
    }

    public int Count => _rows.Length;

    public int Channels { get; }

    /// <summary>Number of classes of the underlying split.</summary>
    public int Classes => _split.ClassNames.Count;

    /// <summary>The names of the underlying split's classes, by label.</summary>
    public IReadOnlyList<string> ClassNames => _split.ClassNames;

    public (int Height, int Width) Size(int index)
    {
        var s = _split.Shape(_rows[index]);
        return (s.Height, s.Width);
    }

    public ReadOnlySpan<byte> Image(int index) => _split.Image(_rows[index]);

    public void ReadRegion(int index, ImageRegion region, RegionReader read) => _split.ReadRegion(_rows[index], region, read);

    public int Label(int index) => _split.Labels[_rows[index]];

    /// <summary>All labels, in the source's order.</summary>
    public long[] Labels() => [.. _rows.Select(r => (long)_split.Labels[r])];
}
