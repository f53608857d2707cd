using SkiaSharp;

namespace ContrastiveLab.Augmentation;

/// <summary>
/// A PNG grid showing what an augmentation does: one row per image, the original followed by two augmented
/// views (the two views an in-batch method would contrast), each scaled up so a person can see it.
/// </summary>
public static class PreviewGrid
{
    /// <summary>Renders <paramref name="count"/> images of <paramref name="source"/> and returns PNG bytes.</summary>
    /// <param name="source">The images.</param>
    /// <param name="pipeline">The augmentation to show.</param>
    /// <param name="count">Rows, 1 to 64.</param>
    /// <param name="seed">Seed of the views.</param>
    /// <param name="cell">Side of one cell in pixels.</param>
    public static byte[] Render(IImageSource source, AugmentationPipeline pipeline, int count, long seed, int cell = 96)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 64);
        count = Math.Min(count, source.Count);
        const int pad = 4;
        int columns = 3;
        using var surface = SKSurface.Create(new SKImageInfo(columns * (cell + pad) + pad, count * (cell + pad) + pad));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint();
        var sampling = new SKSamplingOptions(SKFilterMode.Nearest);
        var options = pipeline.Options;
        int c = source.Channels;
        int size = options.OutputSize;
        var view = new float[pipeline.ViewLength(c)];
        for (int row = 0; row < count; row++)
        {
            int index = (int)((long)row * source.Count / count);
            var (h, w) = source.Size(index);
            using (var original = ToBitmap(source.Image(index), c, h, w, null, null))
            {
                canvas.DrawImage(SKImage.FromBitmap(original), Cell(0, row), sampling, paint);
            }
            for (int v = 0; v < 2; v++)
            {
                var rng = AugmentRandom.ForView(seed, 0, index, v);
                pipeline.Apply(source.Image(index), c, h, w, view, ref rng);
                using var bitmap = ToBitmap(null, c, size, size, view, options);
                canvas.DrawImage(SKImage.FromBitmap(bitmap), Cell(v + 1, row), sampling, paint);
            }
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();

        SKRect Cell(int col, int row) => SKRect.Create(pad + col * (cell + pad), pad + row * (cell + pad), cell, cell);
    }

    // Builds an RGBA bitmap from uint8 CHW pixels, or from a normalised float view (undoing Normalize).
    private static SKBitmap ToBitmap(ReadOnlySpan<byte> pixels, int c, int h, int w, float[]? view, AugmentationOptions? options)
    {
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var bytes = new byte[w * h * 4];
        int plane = h * w;
        for (int p = 0; p < plane; p++)
        {
            for (int k = 0; k < 3; k++)
            {
                int ch = c == 1 ? 0 : k;
                byte value;
                if (view is null)
                {
                    value = pixels[ch * plane + p];
                }
                else
                {
                    float mean = options!.Mean[options.Mean.Count == 1 ? 0 : ch];
                    float std = options.Std[options.Std.Count == 1 ? 0 : ch];
                    value = (byte)Math.Clamp(MathF.Round((view[ch * plane + p] * std + mean) * 255f), 0, 255);
                }
                bytes[p * 4 + k] = value;
            }
            bytes[p * 4 + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }
}
