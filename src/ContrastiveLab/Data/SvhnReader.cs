namespace ContrastiveLab.Data;

/// <summary>
/// Reads SVHN's cropped digits, <c>train_32x32.mat</c> and <c>test_32x32.mat</c>: <c>X</c> is (32, 32, 3, N)
/// uint8 stored column-major (MATLAB order H, W, C, N) and <c>y</c> is (N, 1) in 1..10, where 10 means the
/// digit 0. Labels come out as digits 0..9; images as (N, 3, 32, 32).
/// </summary>
public static class SvhnReader
{
    /// <summary>File names of the two splits, as the official site serves them.</summary>
    public static readonly IReadOnlyList<(string Split, string File)> Files = [("train", "train_32x32.mat"), ("test", "test_32x32.mat")];

    private static readonly IReadOnlyList<string> Digits = [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Reads both splits from the folder <paramref name="folder"/>.</summary>
    public static ImageDataset Read(string folder) =>
        new("svhn", [.. Files.Select(f => ReadSplit(f.Split, Path.Combine(folder, f.File)))]);

    /// <summary>Reads one <c>*_32x32.mat</c> file as a split.</summary>
    public static ImageSplit ReadSplit(string split, string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "no such file");
        }
        var vars = MatFileReader.Read(path, new HashSet<string> { "X", "y" });
        var x = vars.GetValueOrDefault("X") ?? throw new DataFormatException(path, "has no variable 'X'");
        var y = vars.GetValueOrDefault("y") ?? throw new DataFormatException(path, "has no variable 'y'");
        if (x.Dimensions.Length != 4 || x.Dimensions[2] is not (1 or 3) || !x.IsUInt8)
        {
            throw new DataFormatException(path, $"'X' is {string.Join('x', x.Dimensions)} (type {x.DataType}); expected H x W x 3 x N uint8");
        }
        int h = x.Dimensions[0], w = x.Dimensions[1], c = x.Dimensions[2], n = x.Dimensions[3];
        if (y.Count != n)
        {
            throw new DataFormatException(path, $"'X' holds {n} images but 'y' holds {y.Count} labels");
        }
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double v = y[i];
            if (v is < 1 or > 10 || v != Math.Floor(v))
            {
                throw new DataFormatException(path, $"label {v} of image {i} is out of range 1..10");
            }
            labels[i] = (int)v % 10;
        }
        var shape = new ImageShape(c, h, w);
        var pixels = new byte[x.Data.LongLength];
        var src = x.Data;
        int plane = h * w;
        // Column-major (h, w, c, n): element (h, w, c, n) sits at h + H*(w + W*(c + C*n)).
        for (int img = 0; img < n; img++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                int from = ((img * c) + ch) * plane;
                for (int col = 0; col < w; col++)
                {
                    for (int row = 0; row < h; row++)
                    {
                        pixels[from + (row * w) + col] = src[from + (col * h) + row];
                    }
                }
            }
        }
        return new ImageSplit(split, pixels, shape, labels, Digits);
    }
}
