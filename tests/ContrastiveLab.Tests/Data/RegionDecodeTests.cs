using ContrastiveLab.Bench;
using ContrastiveLab.Data;

namespace ContrastiveLab.Tests.Data;

/// <summary>
/// Decoding only a region of an image (what a crop needs) gives, pixel for pixel, what decoding the whole image and
/// cutting the region out gives, for every kind of JPEG (chroma subsampling 4:2:0, 4:2:2, 4:4:4, progressive, grey,
/// CMYK, sizes that are not a multiple of the 16-pixel block) and for PNG.
/// </summary>
public sealed class RegionDecodeTests
{
    // The files Fixtures/jpeg-kinds/make.py wrote.
    private static IEnumerable<string> Kinds() => Directory.GetFiles(Fixtures.File("jpeg-kinds"))
        .Where(f => f.EndsWith(".jpg", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    internal static byte[] Cut(byte[] whole, ImageShape shape, ImageRegion r)
    {
        var cut = new byte[3 * r.Height * r.Width];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < r.Height; y++)
            {
                whole.AsSpan((c * shape.Height * shape.Width) + ((r.Top + y) * shape.Width) + r.Left, r.Width)
                    .CopyTo(cut.AsSpan((c * r.Height * r.Width) + (y * r.Width)));
            }
        }
        return cut;
    }

    private static IEnumerable<ImageRegion> Regions(ImageShape shape, int seed)
    {
        int h = shape.Height, w = shape.Width;
        yield return new ImageRegion(0, 0, h, w);
        yield return new ImageRegion(0, 0, 1, w);
        yield return new ImageRegion(h - 1, w - 1, 1, 1);
        yield return new ImageRegion(h / 2, 0, h - (h / 2), w);
        yield return new ImageRegion(7, 9, 17, 3);
        var random = new Random(seed);
        for (int i = 0; i < 40; i++)
        {
            int rh = random.Next(1, h + 1), rw = random.Next(1, w + 1);
            yield return new ImageRegion(random.Next(0, h - rh + 1), random.Next(0, w - rw + 1), rh, rw);
        }
    }

    private static void AssertRegionsMatchWholeDecode(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        var (whole, shape) = ImageDecoder.DecodeRgb(bytes, file);
        foreach (var region in Regions(shape, seed: bytes.Length))
        {
            var (pixels, regionShape) = ImageDecoder.DecodeRgbRegion(bytes, file, region);
            Assert.Equal(shape, regionShape);
            Assert.NotNull(pixels);
            Assert.True(Cut(whole, shape, region).AsSpan().SequenceEqual(pixels), $"{Path.GetFileName(file)}: region {region} differs from the whole decode");
        }
    }

    [Fact]
    public void A_region_of_every_kind_of_jpeg_and_png_is_decoded_as_the_whole_image_has_it()
    {
        var files = Kinds().ToList();
        Assert.True(files.Count >= 8, $"{files.Count} fixture files");
        foreach (string file in files)
        {
            AssertRegionsMatchWholeDecode(file);
        }
    }

    [Fact]
    public void A_region_of_a_generated_imagenet_sized_jpeg_is_decoded_as_the_whole_image_has_it()
    {
        using var temp = Fixtures.Temp();
        DecodeImageNetWorkload.Generate(temp.Path, 3, seed: 5);
        foreach (string file in Directory.GetFiles(temp.Path))
        {
            AssertRegionsMatchWholeDecode(file);
        }
    }

    [Fact]
    public void A_region_outside_the_image_or_an_image_of_another_size_gives_no_pixels_and_the_image_shape()
    {
        string file = Kinds().First();
        byte[] bytes = File.ReadAllBytes(file);
        var (_, shape) = ImageDecoder.DecodeRgb(bytes, file);
        var (pixels, regionShape) = ImageDecoder.DecodeRgbRegion(bytes, file, new ImageRegion(1, 0, shape.Height, shape.Width));
        Assert.Null(pixels);
        Assert.Equal(shape, regionShape);

        // So does an image that is no longer the size it was indexed at.
        var whole = new ImageRegion(0, 0, shape.Height, shape.Width);
        Assert.NotNull(ImageDecoder.DecodeRgbRegion(bytes, file, whole, expected: shape).Pixels);
        (pixels, regionShape) = ImageDecoder.DecodeRgbRegion(bytes, file, whole, expected: shape with { Width = shape.Width + 1 });
        Assert.Null(pixels);
        Assert.Equal(shape, regionShape);
    }

    // A generated ImageNet-sized JPEG: its path, its bytes and their first half.
    private static (string File, byte[] Bytes, byte[] Half) HalfOfAGeneratedJpeg(TempFolder temp)
    {
        DecodeImageNetWorkload.Generate(temp.Path, 1, seed: 6);
        string file = Directory.GetFiles(temp.Path).Single();
        byte[] bytes = File.ReadAllBytes(file);
        return (file, bytes, bytes[..(bytes.Length / 2)]);
    }

    [Fact]
    public void A_jpeg_region_is_decoded_without_the_rows_below_it()
    {
        // Half a file: a whole decode is refused, while the region in the rows that are there decodes, as the intact file has it.
        using var temp = Fixtures.Temp();
        var (file, bytes, cut) = HalfOfAGeneratedJpeg(temp);
        var (whole, shape) = ImageDecoder.DecodeRgb(bytes, file);
        var top = new ImageRegion(16, 100, 48, 200);
        Assert.Throws<DataFormatException>(() => ImageDecoder.DecodeRgb(cut, file));
        var (pixels, _) = ImageDecoder.DecodeRgbRegion(cut, file, top);
        Assert.Equal(Cut(whole, shape, top), pixels);
    }

    [Fact]
    public void A_truncated_jpeg_is_refused_in_one_line_naming_it_when_the_region_reaches_the_missing_rows()
    {
        using var temp = Fixtures.Temp();
        var (file, _, cut) = HalfOfAGeneratedJpeg(temp);
        var e = Assert.Throws<DataFormatException>(() => ImageDecoder.DecodeRgbRegion(cut, file, new ImageRegion(300, 0, 75, 500)));
        Assert.Contains(file, e.Message);
        Assert.Contains("damaged", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
