using System.Buffers;

namespace ContrastiveLab.Data;

/// <summary>
/// Reads the (C, held.Height, held.Width) uint8 pixels of region <paramref name="held"/> of an image, lent for the
/// length of the call.
/// </summary>
public delegate void RegionReader(ReadOnlySpan<byte> pixels, ImageRegion held);

/// <summary>
/// Decodes <paramref name="region"/> of image <paramref name="index"/> of a split (inside the image's indexed shape) to
/// (C, rows, columns) uint8 pixels, which fill the first C·rows·columns bytes of the returned array. With a
/// <paramref name="pool"/> the array is rented from it (the caller returns it); without one it holds exactly the pixels.
/// </summary>
public delegate byte[] ImageLoad(int index, ArrayPool<byte>? pool, ImageRegion region);

/// <summary>
/// One split of a dataset (train, test, val) held in memory as uint8 pixels in channel, height, width order.
/// All images live in one buffer; image <c>i</c> occupies <c>[Offset(i), Offset(i) + Shape(i).Size)</c>.
/// Datasets with one image size (CIFAR, SVHN, MNIST) have a <see cref="UniformShape"/>, so the buffer is an
/// (N, C, H, W) array; folder datasets keep each image at its decoded size. A split read from files too large to hold
/// (image folders) decodes each image when it is asked for instead (<see cref="InMemory"/> false): its memory does not
/// grow with the number of images.
/// </summary>
public sealed class ImageSplit
{
    private readonly long[] _offsets;
    private readonly ImageShape[]? _shapes;
    private readonly byte[]? _pixels;
    private readonly ImageLoad? _load;

    /// <summary>A split whose images all have one shape.</summary>
    /// <param name="name">Split name: train, test or val.</param>
    /// <param name="pixels">(N, C, H, W) uint8 pixels.</param>
    /// <param name="shape">The shape of every image.</param>
    /// <param name="labels">(N) class indices into <paramref name="classNames"/>.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <param name="coarseLabels">(N) optional second labelling (CIFAR-100 superclasses).</param>
    public ImageSplit(string name, byte[] pixels, ImageShape shape, int[] labels, IReadOnlyList<string> classNames, int[]? coarseLabels = null)
        : this(name, labels, classNames, null, shape)
    {
        if (shape.Size <= 0 || pixels.LongLength != (long)shape.Size * labels.Length)
        {
            throw new ArgumentException($"{pixels.LongLength} pixels do not hold {labels.Length} images of {shape}", nameof(pixels));
        }
        _pixels = pixels;
        CoarseLabels = coarseLabels;
        _offsets = new long[labels.Length + 1];
        for (int i = 0; i <= labels.Length; i++)
        {
            _offsets[i] = (long)i * shape.Size;
        }
    }

    /// <summary>A split whose images have their own shapes, stored one after another.</summary>
    /// <param name="name">Split name: train, test or val.</param>
    /// <param name="pixels">Each image's (C, H, W) uint8 pixels, concatenated.</param>
    /// <param name="shapes">(N) the shape of each image.</param>
    /// <param name="labels">(N) class indices into <paramref name="classNames"/>.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    public ImageSplit(string name, byte[] pixels, ImageShape[] shapes, int[] labels, IReadOnlyList<string> classNames)
        : this(name, labels, classNames, shapes, CommonShape(shapes))
    {
        _offsets = new long[labels.Length + 1];
        for (int i = 0; i < shapes.Length; i++)
        {
            _offsets[i + 1] = _offsets[i] + shapes[i].Size;
        }
        if (_offsets[^1] != pixels.LongLength)
        {
            throw new ArgumentException($"{pixels.LongLength} pixels for images totalling {_offsets[^1]}", nameof(pixels));
        }
        _pixels = pixels;
    }

    /// <summary>A split whose images are decoded one at a time, when asked for, by <paramref name="load"/>.</summary>
    /// <param name="name">Split name: train, test or val.</param>
    /// <param name="shapes">(N) the shape of each image, known before decoding (an index of the files).</param>
    /// <param name="labels">(N) class indices into <paramref name="classNames"/>.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <param name="load">Decodes image i (or a region of it, into a pooled buffer: see <see cref="ImageLoad"/>) to uint8
    /// pixels of shape <c>shapes[i]</c>; called from several threads at once.</param>
    public ImageSplit(string name, ImageShape[] shapes, int[] labels, IReadOnlyList<string> classNames, ImageLoad load)
        : this(name, labels, classNames, shapes, CommonShape(shapes))
    {
        _load = load;
    }

    /// <summary>
    /// What every split holds (<c>shapes</c> null when every image has <c>uniformShape</c>); each public constructor
    /// adds where the pixels come from.
    /// </summary>
    private ImageSplit(string name, int[] labels, IReadOnlyList<string> classNames, ImageShape[]? shapes, ImageShape? uniformShape)
    {
        if (shapes is not null && shapes.Length != labels.Length)
        {
            throw new ArgumentException($"{shapes.Length} shapes for {labels.Length} labels", nameof(shapes));
        }

        Name = name;
        Labels = labels;
        ClassNames = classNames;
        _shapes = shapes;
        UniformShape = uniformShape;
        _offsets = [];
    }

    private static ImageShape? CommonShape(ImageShape[] shapes) =>
        shapes.Length > 0 && shapes.All(s => s == shapes[0]) ? shapes[0] : null;

    /// <summary>Split name: train, test or val.</summary>
    public string Name { get; }

    /// <summary>
    /// Image i's file as stored (its encoded bytes and their format, "jpeg" or "png"), for splits read from image
    /// files: writing shards copies them unchanged. Null for splits read from pixel arrays.
    /// </summary>
    public Func<int, (byte[] Bytes, string Format)>? Encoded { get; init; }

    /// <summary>True when every image is held decoded in <see cref="Pixels"/>; false when each is decoded on demand.</summary>
    public bool InMemory => _pixels is not null;

    /// <summary>All images' uint8 pixels, each in (C, H, W) order, one after another.</summary>
    /// <exception cref="InvalidOperationException">The split decodes its images on demand (<see cref="InMemory"/> false).</exception>
    public byte[] Pixels => _pixels ?? throw new InvalidOperationException($"split '{Name}' decodes its images on demand; read them one at a time with Image(i)");

    /// <summary>The shape shared by every image, or null when sizes differ.</summary>
    public ImageShape? UniformShape { get; }

    /// <summary>(N) class index of each image.</summary>
    public int[] Labels { get; }

    /// <summary>(N) coarse class index of each image (CIFAR-100 superclasses), or null.</summary>
    public int[]? CoarseLabels { get; }

    /// <summary>Class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The (C, H, W) shape of image <paramref name="index"/>.</summary>
    public ImageShape Shape(int index) => _shapes?[index] ?? UniformShape!.Value;

    /// <summary>Where image <paramref name="index"/> starts in <see cref="Pixels"/>.</summary>
    public long Offset(int index) => _offsets[index];

    /// <summary>Image <paramref name="index"/>'s (C, H, W) uint8 pixels (decoded now, for a split that is not <see cref="InMemory"/>).</summary>
    public ReadOnlySpan<byte> Image(int index) => _load is not null
        ? _load(index, null, Whole(index))
        : _pixels.AsSpan((int)_offsets[index], (int)(_offsets[index + 1] - _offsets[index]));

    /// <summary>
    /// Lends pixels of image <paramref name="index"/> that contain <paramref name="region"/> to <paramref name="read"/>,
    /// with where they lie. A split held in memory lends the whole image. A split that is not <see cref="InMemory"/>
    /// decodes just the region (a JPEG only down to the region's last row, see <see cref="ImageDecoder.DecodeRgbRegion"/>)
    /// into a pooled buffer that is reused once <paramref name="read"/> returns, so a loader's memory stays flat however
    /// many images pass through it; the pixels must not be kept.
    /// </summary>
    public void ReadRegion(int index, ImageRegion region, RegionReader read)
    {
        var shape = Shape(index);
        if (_load is null)
        {
            read(Image(index), Whole(index));
            return;
        }
        if (region.Top < 0 || region.Left < 0 || region.Height < 1 || region.Width < 1
            || region.Top + region.Height > shape.Height || region.Left + region.Width > shape.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(region), region, $"not inside image {index} of {shape.Width}x{shape.Height}");
        }
        byte[] pixels = _load(index, ArrayPool<byte>.Shared, region);
        try
        {
            read(pixels.AsSpan(0, shape.Channels * region.Height * region.Width), region);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }

    private ImageRegion Whole(int index) => new(0, 0, Shape(index).Height, Shape(index).Width);

    /// <summary>Image <paramref name="index"/>'s pixels reordered to (H, W, C), as image files and NumPy hold them.</summary>
    public byte[] ImageHwc(int index)
    {
        var shape = Shape(index);
        var chw = Image(index);
        var hwc = new byte[shape.Size];
        int plane = shape.Height * shape.Width;
        for (int c = 0; c < shape.Channels; c++)
        {
            for (int p = 0; p < plane; p++)
            {
                hwc[(p * shape.Channels) + c] = chw[(c * plane) + p];
            }
        }
        return hwc;
    }
}
