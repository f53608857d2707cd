using ContrastiveLab.Augmentation;
using ContrastiveLab.Benchmarks;

// Small stand-alone benchmarks; `--smoke` runs each once on tiny sizes so CI keeps them compiling and working.
bool smoke = args.Contains("--smoke");
int images = smoke ? 50 : 20_000;
int repeats = smoke ? 1 : 5;
double cifar = AugmentBenchmark.ImagesPerSecondPerCore(AugmentationPresets.CifarPaper, 3, 32, 32, images, repeats);
Console.WriteLine($"augment-cifar: {cifar:F0} images/s per core (cifar-paper preset, 32×32, one thread)");
double fmnist = AugmentBenchmark.ImagesPerSecondPerCore(AugmentationPresets.FashionMnist, 1, 28, 28, images, repeats);
Console.WriteLine($"augment-fashion-mnist: {fmnist:F0} images/s per core (fashion-mnist preset, 28×28, one thread)");
