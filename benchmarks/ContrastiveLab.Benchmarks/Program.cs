using System.Globalization;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Bench;
using ContrastiveLab.Benchmarks;
using ContrastiveLab.Runtime;
using BenchmarkDotNet.Jobs;

// Stand-alone benchmarks (the side-by-side PyTorch comparison is `contrastive bench --compare-pytorch`, docs/performance.md): `augment`, `loss-bank [M]`, `analyze [N] [D] [float32|float64]`, `micro` (BenchmarkDotNet); `--smoke` runs tiny sizes
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
    case "micro":
        // BenchmarkDotNet, in this process (libtorch is already loaded here); --smoke is one dry iteration of each.
        var job = smoke ? BenchmarkDotNet.Jobs.Job.Dry : BenchmarkDotNet.Jobs.Job.ShortRun;
        var config = BenchmarkDotNet.Configs.ManualConfig.Create(BenchmarkDotNet.Configs.DefaultConfig.Instance)
            .AddJob(job.WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance))
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "contrastivelab-benchmarkdotnet"));
        if (smoke)
        {
            config = config.WithOptions(BenchmarkDotNet.Configs.ConfigOptions.DisableOptimizationsValidator);
        }
        var summaries = BenchmarkDotNet.Running.BenchmarkRunner.Run([typeof(LossMicroBenchmarks), typeof(UniformityMicroBenchmarks)], config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    default:
        Console.Error.WriteLine("usage: ContrastiveLab.Benchmarks augment|loss-bank [M]|analyze [N] [D] [float32|float64]|micro [--smoke]");
        return 2;
}
return 0;
