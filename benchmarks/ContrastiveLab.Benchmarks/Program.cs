using System.Globalization;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Benchmarks;

// Stand-alone benchmarks: `augment [--smoke]` or `loss-bank [M]`. `--smoke` runs tiny sizes so CI keeps them working.
string workload = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "augment";
bool smoke = args.Contains("--smoke");
switch (workload)
{
    case "loss-bank":
        LossBankBenchmark.Run(args.Length > 1 && long.TryParse(args[1], CultureInfo.InvariantCulture, out long m) ? m : smoke ? 4096 : 1_281_167);
        break;
    case "augment":
        int images = smoke ? 50 : 20_000;
        int repeats = smoke ? 1 : 5;
        double cifar = AugmentBenchmark.ImagesPerSecondPerCore(AugmentationPresets.CifarPaper, 3, 32, 32, images, repeats);
        Console.WriteLine($"augment-cifar: {cifar:F0} images/s per core (cifar-paper preset, 32×32, one thread)");
        double fmnist = AugmentBenchmark.ImagesPerSecondPerCore(AugmentationPresets.FashionMnist, 1, 28, 28, images, repeats);
        Console.WriteLine($"augment-fashion-mnist: {fmnist:F0} images/s per core (fashion-mnist preset, 28×28, one thread)");
        break;
    default:
        Console.Error.WriteLine("usage: ContrastiveLab.Benchmarks augment|loss-bank [M] [--smoke]");
        Environment.Exit(2);
        break;
}
