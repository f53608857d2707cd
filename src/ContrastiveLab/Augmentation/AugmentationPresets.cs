namespace ContrastiveLab.Augmentation;

/// <summary>Named augmentation pipelines, each following the source in its name.</summary>
public static class AugmentationPresets
{
    private static readonly float[] CifarMean = [0.4914f, 0.4822f, 0.4465f];
    private static readonly float[] CifarStd = [0.2023f, 0.1994f, 0.2010f];
    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>The paper's CIFAR/SVHN pretraining pipeline (docs/paper.md §2): RandomResizedCrop(32, 0.2–1),
    /// ColorJitter(0.4, 0.4, 0.4, 0.4), RandomGrayscale(0.2), horizontal flip (as the paper says), normalise.</summary>
    public static AugmentationOptions CifarPaper { get; } = new()
    {
        Name = "cifar-paper",
        OutputSize = 32,
        Brightness = 0.4,
        Contrast = 0.4,
        Saturation = 0.4,
        Hue = 0.4,
        GrayscaleProbability = 0.2,
        FlipProbability = 0.5,
        Mean = CifarMean,
        Std = CifarStd,
    };

    /// <summary>The authors' code for CIFAR/SVHN: as <see cref="CifarPaper"/> but without the flip (it is commented out there).</summary>
    public static AugmentationOptions CifarAuthors { get; } = CifarPaper with { Name = "cifar-authors", FlipProbability = 0 };

    /// <summary>The paper's CIFAR linear-evaluation training pipeline: flip only.</summary>
    public static AugmentationOptions CifarLinear { get; } = new()
    {
        Name = "cifar-linear",
        OutputSize = 32,
        RandomResizedCrop = false,
        FlipProbability = 0.5,
        Mean = CifarMean,
        Std = CifarStd,
    };

    /// <summary>Evaluation pipeline for 32×32 colour images: no randomness, CIFAR normalisation.</summary>
    public static AugmentationOptions CifarEval { get; } = CifarLinear with { Name = "cifar-eval", FlipProbability = 0 };

    /// <summary>Evaluation pipeline for ImageNet-style images: the whole image resized to 224 (no centre crop), normalised.</summary>
    public static AugmentationOptions ImageNetEval { get; } = new()
    {
        Name = "imagenet-eval",
        OutputSize = 224,
        RandomResizedCrop = false,
        Mean = ImageNetMean,
        Std = ImageNetStd,
    };

    /// <summary>The paper's ImageNet100 pretraining pipeline: RandomResizedCrop(224, 0.2–1), ColorJitter(.4,.4,.4,.1)
    /// with p 0.8, RandomGrayscale(0.2), GaussianBlur σ∈[0.1, 2] with p 0.5 (kernel 23, a tenth of the side), flip, normalise.</summary>
    public static AugmentationOptions ImageNet100 { get; } = new()
    {
        Name = "imagenet100",
        OutputSize = 224,
        Brightness = 0.4,
        Contrast = 0.4,
        Saturation = 0.4,
        Hue = 0.1,
        JitterProbability = 0.8,
        GrayscaleProbability = 0.2,
        BlurProbability = 0.5,
        BlurKernelSize = 23,
        FlipProbability = 0.5,
        Mean = ImageNetMean,
        Std = ImageNetStd,
    };

    /// <summary>Grayscale pipeline for Fashion-MNIST (CPU-scale reproduction, MACHINE_NOTES.md): RandomResizedCrop(28, 0.2–1),
    /// flip, brightness and contrast 0.4, normalise with the Fashion-MNIST training mean and std.</summary>
    public static AugmentationOptions FashionMnist { get; } = new()
    {
        Name = "fashion-mnist",
        OutputSize = 28,
        Brightness = 0.4,
        Contrast = 0.4,
        FlipProbability = 0.5,
        Mean = [0.2860f],
        Std = [0.3530f],
    };

    /// <summary>
    /// A milder Fashion-MNIST pipeline for short CPU runs: RandomResizedCrop(28, 0.5–1) instead of 0.2–1, the rest as
    /// <see cref="FashionMnist"/>. A 28×28 garment cropped to a fifth of its area often loses what tells its class.
    /// </summary>
    public static AugmentationOptions FashionMnistMild { get; } = FashionMnist with { Name = "fashion-mnist-mild", CropScaleMin = 0.5 };

    /// <summary>Evaluation pipeline for 28×28 grey images: no randomness, normalise only.</summary>
    public static AugmentationOptions FashionMnistEval { get; } = new()
    {
        Name = "fashion-mnist-eval",
        OutputSize = 28,
        RandomResizedCrop = false,
        Mean = [0.2860f],
        Std = [0.3530f],
    };

    /// <summary>Linear-evaluation training pipeline for Fashion-MNIST: flip only, as the paper's CIFAR protocol.</summary>
    public static AugmentationOptions FashionMnistLinear { get; } = FashionMnistEval with { Name = "fashion-mnist-linear", FlipProbability = 0.5 };

    /// <summary>The paper's SVHN linear-evaluation training pipeline: ColorJitter(0.4, 0.4, 0.4, 0.4) and RandomGrayscale(0.2), no crop, no flip.</summary>
    public static AugmentationOptions SvhnLinear { get; } = CifarEval with
    {
        Name = "svhn-linear",
        Brightness = 0.4,
        Contrast = 0.4,
        Saturation = 0.4,
        Hue = 0.4,
        GrayscaleProbability = 0.2,
    };

    /// <summary>The paper's ImageNet100 linear-evaluation training pipeline: RandomResizedCrop(224, 0.08–1), grayscale 0.2, jitter 0.4, flip.</summary>
    public static AugmentationOptions ImageNet100Linear { get; } = ImageNet100 with
    {
        Name = "imagenet100-linear",
        CropScaleMin = 0.08,
        Hue = 0.4,
        JitterProbability = 1.0,
        BlurProbability = 0,
    };

    /// <summary>Every preset by name.</summary>
    public static IReadOnlyDictionary<string, AugmentationOptions> All { get; } =
        new[] { CifarPaper, CifarAuthors, CifarLinear, CifarEval, SvhnLinear, ImageNet100, ImageNet100Linear, ImageNetEval, FashionMnist, FashionMnistMild, FashionMnistEval, FashionMnistLinear }.ToDictionary(p => p.Name);

    /// <summary>The (pretraining, evaluation) presets a dataset uses by default.</summary>
    public static (AugmentationOptions Train, AugmentationOptions Eval) ForDataset(string dataset) => dataset switch
    {
        "cifar10" or "cifar100" or "svhn" => (CifarPaper, CifarEval),
        "imagenet100" or "folder" => (ImageNet100, ImageNetEval),
        _ => (FashionMnist, FashionMnistEval),
    };

    /// <summary>The (linear-evaluation training, test) presets of a dataset (docs/paper.md §2): flip only for CIFAR and Fashion-MNIST,
    /// jitter and grayscale for SVHN, crop, jitter, grayscale and flip for ImageNet-style folders; clean test images.</summary>
    public static (AugmentationOptions Train, AugmentationOptions Test) LinearForDataset(string dataset) => dataset switch
    {
        "cifar10" or "cifar100" => (CifarLinear, CifarEval),
        "svhn" => (SvhnLinear, CifarEval),
        "imagenet100" or "folder" => (ImageNet100Linear, ImageNetEval),
        _ => (FashionMnistLinear, FashionMnistEval),
    };

    /// <summary>The preset called <paramref name="name"/>; an <see cref="ArgumentException"/> lists the names otherwise.</summary>
    public static AugmentationOptions Get(string name) => All.TryGetValue(name, out var preset)
        ? preset
        : throw new ArgumentException($"unknown augmentation preset '{name}'; known: {string.Join(", ", All.Keys)}", nameof(name));
}
