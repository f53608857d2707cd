using System.Buffers;
using SkiaSharp;

namespace ContrastiveLab.Data;

/// <summary>
/// Decodes JPEG and PNG files to RGB (3, H, W) uint8 with SkiaSharp. The format is recognised by the file's
/// magic bytes, never by its extension (a few ImageNet <c>.JPEG</c> files hold PNG data). Grayscale and CMYK
/// images come out as RGB; alpha is dropped; EXIF orientation is ignored, as PIL does by default.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Largest image accepted, in pixels, checked against the header before any pixel buffer is allocated.</summary>
    public const long MaxPixels = 64L * 1024 * 1024;

    /// <summary>Pixels an image may declare per byte of its file, beyond <see cref="MinPixelAllowance"/>.</summary>
    public const long MaxPixelsPerByte = 1024;

    /// <summary>Pixels any image may declare, whatever its file size.</summary>
    public const long MinPixelAllowance = 65536;

    /// <summary>The format the magic bytes announce: "jpeg", "png", or null for anything else.</summary>
    public static string? Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        {
            return "jpeg";
        }
        ReadOnlySpan<byte> png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        return bytes.StartsWith(png) ? "png" : null;
    }

    /// <summary>Decodes <paramref name="bytes"/> (read from <paramref name="path"/>) to (3, H, W) uint8 pixels.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="path">Names the file in errors.</param>
    /// <param name="pool">
    /// Null: the pixels come in an array of exactly 3·H·W bytes. Otherwise they fill the first 3·H·W bytes of an array
    /// rented from <paramref name="pool"/>, which the caller returns to it (a loader decoding hundreds of images a
    /// second then reuses a few buffers instead of leaving a large-object-heap array per image to the collector).
    /// </param>
    public static (byte[] Pixels, ImageShape Shape) DecodeRgb(ReadOnlySpan<byte> bytes, string path, ArrayPool<byte>? pool = null)
    {
        using var data = CopyToNative(bytes);
        using var codec = Open(data, bytes, path, out string format);
        var whole = new ImageRegion(0, 0, codec.Info.Height, codec.Info.Width);
        return (Decode(codec, format, path, whole, pool), new ImageShape(3, whole.Height, whole.Width));
    }

    /// <summary>
    /// Decodes only <paramref name="region"/> of the image in <paramref name="bytes"/> to (3, region height, region
    /// width) uint8 pixels, the same values a whole decode gives there. A JPEG is decoded row by row: the rows above
    /// the region are skipped (entropy-decoded only) and those below it are not decoded at all; other formats are
    /// decoded whole and cut.
    /// </summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="path">Names the file in errors.</param>
    /// <param name="region">The rows and columns wanted.</param>
    /// <param name="pool">As for <see cref="DecodeRgb"/>: null, an exact array; otherwise a rented one.</param>
    /// <param name="expected">The height and width the image had when it was indexed, if known.</param>
    /// <returns>
    /// The region's pixels, or null (nothing decoded) when the image, whose shape is returned, does not contain the region
    /// or has not the height and width of <paramref name="expected"/>.
    /// </returns>
    public static (byte[]? Pixels, ImageShape Shape) DecodeRgbRegion(ReadOnlySpan<byte> bytes, string path, ImageRegion region, ArrayPool<byte>? pool = null,
        ImageShape? expected = null)
    {
        using var data = CopyToNative(bytes);
        using var codec = Open(data, bytes, path, out string format);
        var shape = new ImageShape(3, codec.Info.Height, codec.Info.Width);
        bool inside = region.Height > 0 && region.Width > 0 && region.Top >= 0 && region.Left >= 0
            && region.Top + region.Height <= shape.Height && region.Left + region.Width <= shape.Width;
        bool same = expected is not { } e || (e.Height == shape.Height && e.Width == shape.Width);
        return (inside && same ? Decode(codec, format, path, region, pool) : null, shape);
    }

    // The codec for the file, after the checks that keep a hostile header from allocating.
    private static SKCodec Open(SKData data, ReadOnlySpan<byte> bytes, string path, out string format)
    {
        format = Sniff(bytes) ?? throw new DataFormatException(path, "undecodable image: neither JPEG nor PNG data");
        var codec = SKCodec.Create(data) ?? throw new DataFormatException(path, $"undecodable image: {format} header not understood");
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
        {
            codec.Dispose();
            throw new DataFormatException(path, $"undecodable image: {format} header claims {width}x{height} pixels");
        }
        // Decoding allocates about 10 bytes a pixel: a header that claims far more pixels than its file could encode
        // would have a few bytes allocate megabytes. Real photographs stay far below this ratio.
        if ((long)width * height > MinPixelAllowance + (MaxPixelsPerByte * bytes.Length))
        {
            codec.Dispose();
            throw new DataFormatException(path, $"undecodable image: {format} header claims {width}x{height} pixels, more than a {bytes.Length}-byte file can hold (at most {MaxPixelsPerByte} pixels a byte)");
        }
        return codec;
    }

    // Decodes the rows of the region as RGBA (a JPEG row by row from the region's top, anything else whole), then keeps
    // its columns as (3, rows, columns) planes.
    private static byte[] Decode(SKCodec codec, string format, string path, ImageRegion region, ArrayPool<byte>? pool)
    {
        int width = codec.Info.Width, height = codec.Info.Height;
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bool byRows = format == "jpeg" && (region.Top > 0 || region.Height < height)
            && codec.StartScanlineDecode(info) == SKCodecResult.Success;
        int rows = byRows ? region.Height : height, firstRow = byRows ? 0 : region.Top;
        // The RGBA pixels go through a pooled buffer: a fresh 4-bytes-a-pixel array per image cost its allocation,
        // zeroing and page faults (about a tenth of an ImageNet-sized decode).
        byte[] rgba = ArrayPool<byte>.Shared.Rent(4 * width * rows);
        try
        {
            unsafe
            {
                fixed (byte* pixels = rgba)
                {
                    if (byRows)
                    {
                        if ((region.Top > 0 && !codec.SkipScanlines(region.Top)) || codec.GetScanlines((IntPtr)pixels, rows, 4 * width) != rows)
                        {
                            throw new DataFormatException(path, $"undecodable image: {format} data is damaged (rows {region.Top} to {region.Top + rows - 1})");
                        }
                    }
                    else if (codec.GetPixels(info, (IntPtr)pixels) is var result && result != SKCodecResult.Success)
                    {
                        throw new DataFormatException(path, $"undecodable image: {format} data is damaged ({result})");
                    }
                }
            }
            int plane = region.Height * region.Width;
            var chw = pool is null ? GC.AllocateUninitializedArray<byte>(3 * plane) : pool.Rent(3 * plane);
            Span<byte> red = chw.AsSpan(0, plane), green = chw.AsSpan(plane, plane), blue = chw.AsSpan(2 * plane, plane);
            for (int y = 0; y < region.Height; y++)
            {
                ReadOnlySpan<byte> source = rgba.AsSpan((((firstRow + y) * width) + region.Left) * 4, region.Width * 4);
                int o = y * region.Width;
                for (int x = 0; x < region.Width; x++)
                {
                    red[o + x] = source[4 * x];
                    green[o + x] = source[(4 * x) + 1];
                    blue[o + x] = source[(4 * x) + 2];
                }
            }
            return chw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static unsafe SKData CopyToNative(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            return SKData.CreateCopy((IntPtr)start, bytes.Length);
        }
    }
}
