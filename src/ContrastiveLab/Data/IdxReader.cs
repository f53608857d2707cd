namespace ContrastiveLab.Data;

/// <summary>
/// Reads MNIST-style IDX files (big-endian header, gzipped or not): <c>0x00000803</c> images (N, rows, cols)
/// uint8 and <c>0x00000801</c> labels (N) uint8. Used for <c>mnist</c> and <c>fashion-mnist</c>.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of a uint8 IDX file with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a uint8 IDX file with one dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file: returns (N, 1, rows, cols) pixels and the image shape.</summary>
    public static (byte[] Pixels, ImageShape Shape) ReadImages(string path)
    {
        using var file = File.OpenRead(path);
        return ReadImages(file, path);
    }

    /// <summary>Reads an images file from a seekable stream; <paramref name="name"/> names it in errors.</summary>
    public static (byte[] Pixels, ImageShape Shape) ReadImages(Stream source, string name) =>
        BoundedRead.Guard(name, () => ReadImagesUnguarded(source, name));

    /// <summary>Reads a labels file; every label must be below <paramref name="classCount"/>.</summary>
    public static int[] ReadLabels(string path, int classCount)
    {
        using var file = File.OpenRead(path);
        return ReadLabels(file, path, classCount);
    }

    /// <summary>Reads a labels file from a seekable stream; <paramref name="name"/> names it in errors.</summary>
    public static int[] ReadLabels(Stream source, string name, int classCount) =>
        BoundedRead.Guard(name, () => ReadLabelsUnguarded(source, name, classCount));

    private static (byte[] Pixels, ImageShape Shape) ReadImagesUnguarded(Stream source, string path)
    {
        using var stream = BoundedRead.MaybeGunzip(source);
        int magic = BoundedRead.BigEndianInt32(stream, path, "header");
        if (magic != ImagesMagic)
        {
            throw new DataFormatException(path, $"wrong magic number 0x{magic:x8}: an IDX images file starts with 0x{ImagesMagic:x8}");
        }
        int count = BoundedRead.BigEndianInt32(stream, path, "header");
        int rows = BoundedRead.BigEndianInt32(stream, path, "header");
        int cols = BoundedRead.BigEndianInt32(stream, path, "header");
        if (count < 0 || rows <= 0 || cols <= 0 || rows > 65536 || cols > 65536)
        {
            throw new DataFormatException(path, $"impossible header: {count} images of {rows}x{cols}");
        }
        long bytes = (long)count * rows * cols;
        var pixels = BoundedRead.Exactly(stream, bytes, path, $"the header's {count} images of {rows}x{cols}");
        return (pixels, new ImageShape(1, rows, cols));
    }

    private static int[] ReadLabelsUnguarded(Stream source, string path, int classCount)
    {
        using var stream = BoundedRead.MaybeGunzip(source);
        int magic = BoundedRead.BigEndianInt32(stream, path, "header");
        if (magic != LabelsMagic)
        {
            throw new DataFormatException(path, $"wrong magic number 0x{magic:x8}: an IDX labels file starts with 0x{LabelsMagic:x8}");
        }
        int count = BoundedRead.BigEndianInt32(stream, path, "header");
        var raw = BoundedRead.Exactly(stream, count, path, $"the header's {count} labels");
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] >= classCount)
            {
                throw new DataFormatException(path, $"label {raw[i]} of item {i} is out of range 0..{classCount - 1}");
            }
            labels[i] = raw[i];
        }
        return labels;
    }

    /// <summary>Reads an images file and its labels file as one split, checking that their counts agree.</summary>
    public static ImageSplit ReadSplit(string name, string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        using var images = File.OpenRead(imagesPath);
        using var labelFile = File.OpenRead(labelsPath);
        return ReadSplit(name, images, imagesPath, labelFile, labelsPath, classNames);
    }

    /// <summary>Reads an images stream and its labels stream as one split, checking that their counts agree.</summary>
    public static ImageSplit ReadSplit(string name, Stream imagesStream, string imagesPath, Stream labelsStream, string labelsPath, IReadOnlyList<string> classNames)
    {
        var labels = ReadLabels(labelsStream, labelsPath, classNames.Count);
        var (pixels, shape) = ReadImages(imagesStream, imagesPath);
        long images = pixels.LongLength / shape.Size;
        if (images != labels.Length)
        {
            throw new DataFormatException(imagesPath, $"holds {images} images but {labelsPath} holds {labels.Length} labels");
        }
        return new ImageSplit(name, pixels, shape, labels, classNames);
    }

    /// <summary>Writes (N, rows, cols) images as a gzipped IDX file (used to build the bundled subset).</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols)
    {
        using var gzip = CreateGzip(path);
        WriteHeader(gzip, ImagesMagic, count, rows, cols);
        gzip.Write(pixels);
    }

    /// <summary>Writes (N) labels as a gzipped IDX file (used to build the bundled subset).</summary>
    public static void WriteLabels(string path, ReadOnlySpan<int> labels)
    {
        using var gzip = CreateGzip(path);
        WriteHeader(gzip, LabelsMagic, labels.Length);
        foreach (int label in labels)
        {
            gzip.WriteByte(checked((byte)label));
        }
    }

    private static System.IO.Compression.GZipStream CreateGzip(string path) =>
        new(File.Create(path), System.IO.Compression.CompressionLevel.SmallestSize);

    private static void WriteHeader(Stream stream, params int[] values)
    {
        Span<byte> four = stackalloc byte[4];
        foreach (int v in values)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(four, v);
            stream.Write(four);
        }
    }
}
