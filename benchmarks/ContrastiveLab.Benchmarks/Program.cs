using System.Globalization;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Benchmarks;
using ContrastiveLab.Runtime;

// Stand-alone benchmarks (the side-by-side PyTorch comparison is `contrastive bench --compare-pytorch`, docs/performance.md): `augment`, `loss-bank [M]`, `analyze [N] [D] [float32|float64]`; `--smoke` runs tiny sizes
// so CI keeps them compiling and working.
string[] positional = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
string workload = positional.FirstOrDefault() ?? "augment";
bool smoke = args.Contains("--smoke");
long Arg(int i, long fallback) => positional.Length > i && long.TryParse(positional[i], CultureInfo.InvariantCulture, out long v) ? v : fallback;
MallocTuning.Apply();
TorchRuntime.EnsureLoaded();
TorchRuntime.ConfigureThreads(0);
switch (workload)
{
    case "loss-bank":
        LossBankBenchmark.Run(Arg(1, smoke ? 4096 : 1_281_167));
        break;
    case "analyze":
        AnalyzeBenchmark.Run(Arg(1, smoke ? 500 : 100_000), Arg(2, smoke ? 16 : 128),
            positional.Length > 3 && positional[3] == "float64" ? TorchSharp.torch.ScalarType.Float64 : TorchSharp.torch.ScalarType.Float32);
        break;
    case "augment":
        int images = smoke ? 50 : 20_000;
        int repeats = smoke ? 1 : 5;
        double cifar = AugmentCifarWorkload.ImagesPerSecondPerCore(AugmentationPresets.CifarPaper, 3, 32, 32, images, repeats);
        Console.WriteLine($"augment-cifar: {cifar:F0} images/s per core (cifar-paper preset, 32×32, one thread)");
        double fmnist = AugmentCifarWorkload.ImagesPerSecondPerCore(AugmentationPresets.FashionMnist, 1, 28, 28, images, repeats);
        Console.WriteLine($"augment-fashion-mnist: {fmnist:F0} images/s per core (fashion-mnist preset, 28×28, one thread)");
        break;
    default:
        Console.Error.WriteLine("usage: ContrastiveLab.Benchmarks augment|loss-bank [M]|analyze [N] [D] [float32|float64] [--smoke]");
        return 2;
}
return 0;
