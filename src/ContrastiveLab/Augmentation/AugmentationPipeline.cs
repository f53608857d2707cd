using ContrastiveLab.Data;

namespace ContrastiveLab.Augmentation;

/// <summary>
/// Applies an <see cref="AugmentationOptions"/> pipeline to one uint8 image, with its own random stream, writing
/// a normalised float32 (C, S, S) view. Thread-safe: it holds no mutable state, so one instance serves every
/// loader thread.
/// </summary>
/// <remarks>
/// Semantics follow torchvision: RandomResizedCrop picks a crop by area and log-uniform aspect ratio with ten
/// attempts and torchvision's centre-crop fallback, then resizes it with a triangle (bilinear) filter whose
/// support widens when shrinking (antialiasing); ColorJitter draws its four factors and applies them in a random
/// order; brightness scales, contrast blends with the mean grey level, saturation blends with the per-pixel grey
/// level, hue rotates in HSV; grey uses ITU-R 601 weights (0.299, 0.587, 0.114); blur uses reflect padding.
/// </remarks>
public sealed class AugmentationPipeline
{
    private readonly float[] _mean;
    private readonly float[] _std;

    public AugmentationPipeline(AugmentationOptions options)
    {
        Options = options.Validate();
        _mean = [.. options.Mean];
        _std = [.. options.Std];
    }

    public AugmentationOptions Options { get; }

    /// <summary>Number of floats one view of a <paramref name="channels"/>-channel image takes.</summary>
    public int ViewLength(int channels) => channels * Options.OutputSize * Options.OutputSize;

    /// <summary>
    /// Writes one augmented view of <paramref name="image"/> into <paramref name="output"/>.
    /// </summary>
    /// <param name="image">(C, H, W) uint8 pixels, C = 1 or 3.</param>
    /// <param name="channels">C, 1 or 3.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="output">(C, S, S) float32 destination, S = OutputSize.</param>
    /// <param name="rng">The view's random stream (<see cref="AugmentRandom.ForView"/>); advanced by the call.</param>
    public void Apply(ReadOnlySpan<byte> image, int channels, int height, int width, Span<float> output, ref AugmentRandom rng)
    {
        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"image of {height}×{width} pixels", nameof(image));
        }
        var whole = new ImageRegion(0, 0, height, width);
        ApplyCropped(image, channels, whole, CropFor(height, width, ref rng), output, ref rng);
    }

    /// <summary>
    /// The part of an <paramref name="height"/>×<paramref name="width"/> image the view will show: the crop
    /// RandomResizedCrop picks (the first numbers <see cref="Apply"/> draws), or the whole image without it. A loader
    /// that knows an image's size decides this before decoding, decodes only the rows and columns it needs, and passes
    /// them to <see cref="ApplyCropped"/> with the same random stream.
    /// </summary>
    public ImageRegion CropFor(int height, int width, ref AugmentRandom rng)
    {
        var (top, left, cropH, cropW) = Options.RandomResizedCrop ? SampleCrop(height, width, ref rng) : (0, 0, height, width);
        return new ImageRegion(top, left, cropH, cropW);
    }

    /// <summary>
    /// Writes the view whose crop <see cref="CropFor"/> chose, from the pixels of a region of the image that contains
    /// it: the same output <see cref="Apply"/> gives from the whole image with the same random stream.
    /// </summary>
    /// <param name="held">(C, held.Height, held.Width) uint8 pixels of region <paramref name="heldRegion"/> of the image.</param>
    /// <param name="channels">C, 1 or 3.</param>
    /// <param name="heldRegion">Where <paramref name="held"/> lies in the image.</param>
    /// <param name="crop">The crop, in image coordinates, inside <paramref name="heldRegion"/>.</param>
    /// <param name="output">(C, S, S) float32 destination, S = OutputSize.</param>
    /// <param name="rng">The random stream <see cref="CropFor"/> advanced; advanced further by the call.</param>
    public void ApplyCropped(ReadOnlySpan<byte> held, int channels, ImageRegion heldRegion, ImageRegion crop, Span<float> output, ref AugmentRandom rng)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"images must have 1 or 3 channels, got {channels}", nameof(channels));
        }
        if (held.Length != channels * heldRegion.Height * heldRegion.Width || heldRegion.Height < 1 || heldRegion.Width < 1)
        {
            throw new ArgumentException($"image buffer holds {held.Length} bytes, expected {channels}×{heldRegion.Height}×{heldRegion.Width}", nameof(held));
        }
        if (crop.Top < heldRegion.Top || crop.Left < heldRegion.Left || crop.Height < 1 || crop.Width < 1
            || crop.Top + crop.Height > heldRegion.Top + heldRegion.Height || crop.Left + crop.Width > heldRegion.Left + heldRegion.Width)
        {
            throw new ArgumentException($"crop {crop} is not inside the pixels held, {heldRegion}", nameof(crop));
        }
        int size = Options.OutputSize;
        int plane = size * size;
        if (output.Length != channels * plane)
        {
            throw new ArgumentException($"output holds {output.Length} floats, expected {channels * plane}", nameof(output));
        }
        if (_mean.Length != 1 && _mean.Length != channels)
        {
            throw new ArgumentException($"preset '{Options.Name}' normalises {_mean.Length} channels but the image has {channels}", nameof(channels));
        }

        bool flip = rng.Chance(Options.FlipProbability);
        Resampler.CropResize(held, channels, heldRegion.Height, heldRegion.Width, crop.Top - heldRegion.Top, crop.Left - heldRegion.Left,
            crop.Height, crop.Width, size, flip, output);

        if (rng.Chance(Options.JitterProbability))
        {
            ColorOps.Jitter(output, channels, plane, Options, ref rng);
        }
        if (channels == 3 && rng.Chance(Options.GrayscaleProbability))
        {
            ColorOps.ToGrey(output, plane);
        }
        if (rng.Chance(Options.BlurProbability))
        {
            double sigma = rng.Uniform(Options.BlurSigmaMin, Options.BlurSigmaMax);
            Resampler.GaussianBlur(output, channels, size, Options.BlurKernelSize, sigma);
        }
        for (int c = 0; c < channels; c++)
        {
            float m = _mean[_mean.Length == 1 ? 0 : c];
            float inv = 1f / _std[_std.Length == 1 ? 0 : c];
            var p = output.Slice(c * plane, plane);
            for (int k = 0; k < p.Length; k++)
            {
                p[k] = (p[k] - m) * inv;
            }
        }
    }

    /// <summary>torchvision's RandomResizedCrop.get_params: (top, left, height, width) of the crop.</summary>
    internal (int Top, int Left, int Height, int Width) SampleCrop(int height, int width, ref AugmentRandom rng)
    {
        double area = (double)height * width;
        double logLo = Math.Log(Options.RatioMin), logHi = Math.Log(Options.RatioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.Uniform(Options.CropScaleMin, Options.CropScaleMax);
            double aspect = Math.Exp(rng.Uniform(logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = rng.NextInt(0, height - h);
                int left = rng.NextInt(0, width - w);
                return (top, left, h, w);
            }
        }
        // Fallback: the largest centred crop whose ratio lies within the allowed range.
        double inRatio = (double)width / height;
        int fw, fh;
        if (inRatio < Options.RatioMin)
        {
            fw = width;
            fh = (int)Math.Round(fw / Options.RatioMin);
        }
        else if (inRatio > Options.RatioMax)
        {
            fh = height;
            fw = (int)Math.Round(fh * Options.RatioMax);
        }
        else
        {
            fw = width;
            fh = height;
        }
        return ((height - fh) / 2, (width - fw) / 2, fh, fw);
    }
}
