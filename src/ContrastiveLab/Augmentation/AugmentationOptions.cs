namespace ContrastiveLab.Augmentation;

/// <summary>
/// One augmentation pipeline, in torchvision's order: RandomResizedCrop → ColorJitter (applied with
/// <see cref="JitterProbability"/>) → RandomGrayscale → GaussianBlur → RandomHorizontalFlip → Normalize.
/// Immutable; <see cref="Validate"/> names the first bad setting.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>Preset name, for logs and run folders.</summary>
    public string Name { get; init; } = "custom";

    /// <summary>Side of the square output image.</summary>
    public int OutputSize { get; init; } = 32;

    /// <summary>False: no random crop, the whole image is resized to <see cref="OutputSize"/>.</summary>
    public bool RandomResizedCrop { get; init; } = true;

    /// <summary>Crop area as a fraction of the image, drawn uniformly in [min, max].</summary>
    public double CropScaleMin { get; init; } = 0.2;

    /// <inheritdoc cref="CropScaleMin"/>
    public double CropScaleMax { get; init; } = 1.0;

    /// <summary>Crop aspect ratio, drawn log-uniformly in [min, max].</summary>
    public double RatioMin { get; init; } = 3.0 / 4.0;

    /// <inheritdoc cref="RatioMin"/>
    public double RatioMax { get; init; } = 4.0 / 3.0;

    /// <summary>ColorJitter strengths: factors drawn in [max(0, 1 − b), 1 + b] etc.; hue shift in [−h, h], h ≤ 0.5.</summary>
    public double Brightness { get; init; }

    /// <inheritdoc cref="Brightness"/>
    public double Contrast { get; init; }

    /// <inheritdoc cref="Brightness"/>
    public double Saturation { get; init; }

    /// <inheritdoc cref="Brightness"/>
    public double Hue { get; init; }

    /// <summary>Probability that ColorJitter is applied at all (torchvision's RandomApply).</summary>
    public double JitterProbability { get; init; } = 1.0;

    /// <summary>Probability of converting a colour image to grey (kept as three channels).</summary>
    public double GrayscaleProbability { get; init; }

    /// <summary>Probability of a Gaussian blur with σ drawn in [min, max].</summary>
    public double BlurProbability { get; init; }

    /// <inheritdoc cref="BlurProbability"/>
    public double BlurSigmaMin { get; init; } = 0.1;

    /// <inheritdoc cref="BlurProbability"/>
    public double BlurSigmaMax { get; init; } = 2.0;

    /// <summary>Odd blur kernel size in pixels.</summary>
    public int BlurKernelSize { get; init; } = 3;

    /// <summary>Probability of a horizontal flip.</summary>
    public double FlipProbability { get; init; }

    /// <summary>Per-channel mean and standard deviation of Normalize (one entry per channel, or one for all).</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0f];

    /// <inheritdoc cref="Mean"/>
    public IReadOnlyList<float> Std { get; init; } = [1f];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of its range.</summary>
    public AugmentationOptions Validate()
    {
        Check(OutputSize is >= 1 and <= 4096, nameof(OutputSize), OutputSize, "1 to 4096");
        Check(CropScaleMin > 0 && CropScaleMin <= CropScaleMax && CropScaleMax <= 1, "CropScale", $"[{CropScaleMin}, {CropScaleMax}]", "0 < min ≤ max ≤ 1");
        Check(RatioMin > 0 && RatioMin <= RatioMax, "Ratio", $"[{RatioMin}, {RatioMax}]", "0 < min ≤ max");
        Check(Brightness is >= 0 and <= 1e3, nameof(Brightness), Brightness, "≥ 0");
        Check(Contrast is >= 0 and <= 1e3, nameof(Contrast), Contrast, "≥ 0");
        Check(Saturation is >= 0 and <= 1e3, nameof(Saturation), Saturation, "≥ 0");
        Check(Hue is >= 0 and <= 0.5, nameof(Hue), Hue, "0 to 0.5");
        foreach (var (name, p) in new[] { (nameof(JitterProbability), JitterProbability), (nameof(GrayscaleProbability), GrayscaleProbability), (nameof(BlurProbability), BlurProbability), (nameof(FlipProbability), FlipProbability) })
        {
            Check(p is >= 0 and <= 1, name, p, "0 to 1");
        }
        Check(BlurSigmaMin > 0 && BlurSigmaMin <= BlurSigmaMax, "BlurSigma", $"[{BlurSigmaMin}, {BlurSigmaMax}]", "0 < min ≤ max");
        Check(BlurKernelSize >= 1 && BlurKernelSize % 2 == 1, nameof(BlurKernelSize), BlurKernelSize, "an odd number ≥ 1");
        Check(Mean.Count >= 1 && Mean.Count == Std.Count, "Mean/Std", $"{Mean.Count}/{Std.Count} entries", "the same count, at least 1");
        Check(Std.All(s => s > 0), nameof(Std), string.Join(",", Std), "all > 0");
        return this;
    }

    private static void Check(bool ok, string name, object value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentException($"augmentation option {name} = {value} is invalid; allowed: {allowed}", name);
        }
    }
}
