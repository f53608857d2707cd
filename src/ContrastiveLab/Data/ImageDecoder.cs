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
        string format = Sniff(bytes) ?? throw new DataFormatException(path, "undecodable image: neither JPEG nor PNG data");
        using var data = CopyToNative(bytes);
        using var codec = SKCodec.Create(data) ?? throw new DataFormatException(path, $"undecodable image: {format} header not understood");
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixels)
        {
            throw new DataFormatException(path, $"undecodable image: {format} header claims {width}x{height} pixels");
        }
        // Decoding allocates about 10 bytes a pixel: a header that claims far more pixels than its file could encode
        // would have a few bytes allocate megabytes. Real photographs stay far below this ratio.
        if ((long)width * height > MinPixelAllowance + (MaxPixelsPerByte * bytes.Length))
        {
            throw new DataFormatException(path, $"undecodable image: {format} header claims {width}x{height} pixels, more than a {bytes.Length}-byte file can hold (at most {MaxPixelsPerByte} pixels a byte)");
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int plane = width * height;
        // The RGBA pixels go through a pooled buffer: a fresh 4-bytes-a-pixel array per image cost its allocation,
        // zeroing and page faults (about a tenth of an ImageNet-sized decode).
        byte[] rgba = ArrayPool<byte>.Shared.Rent(4 * plane);
        try
        {
            SKCodecResult result;
            unsafe
            {
                fixed (byte* pixels = rgba)
                {
                    result = codec.GetPixels(info, (IntPtr)pixels);
                }
            }
            if (result != SKCodecResult.Success)
            {
                throw new DataFormatException(path, $"undecodable image: {format} data is damaged ({result})");
            }
            var chw = pool is null ? GC.AllocateUninitializedArray<byte>(3 * plane) : pool.Rent(3 * plane);
            ReadOnlySpan<byte> source = rgba.AsSpan(0, 4 * plane);
            Span<byte> red = chw.AsSpan(0, plane), green = chw.AsSpan(plane, plane), blue = chw.AsSpan(2 * plane, plane);
            for (int p = 0; p < plane; p++)
            {
                red[p] = source[4 * p];
                green[p] = source[(4 * p) + 1];
                blue[p] = source[(4 * p) + 2];
            }
            return (chw, new ImageShape(3, height, width));
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
