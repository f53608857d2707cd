using ContrastiveLab.Bench;

namespace ContrastiveLab.Tests.Bench;

/// <summary>The smoke mode runs every workload once and returns well-formed results. No timing assertions.</summary>
public sealed class BenchSmokeTests
{
    private static readonly Dictionary<string, string[]> ExpectedUnits = new()
    {
        ["train-small-cnn-bank"] = ["images_per_s", "gflops"],
        ["train-small-cnn-inbatch"] = ["images_per_s", "gflops"],
        ["train-resnet18-cifar"] = ["images_per_s", "gflops"],
        ["train-small-cnn-bank-bf16"] = ["images_per_s", "gflops"], // bf16: where the CPU has it; else skipped, checked below
        ["train-small-cnn-inbatch-bf16"] = ["images_per_s", "gflops"],
        ["train-resnet18-cifar-bf16"] = ["images_per_s", "gflops"],
        ["loss-bank"] = ["ms", "peak_rss_mb"],
        ["metrics"] = ["seconds", "gflops"],
        ["augment-cifar"] = ["images_per_s"],
        ["decode-imagenet"] = ["images_per_s", "whole_decode_images_per_s", "pillow_images_per_s", "ours_over_pillow"], // Pillow: /usr/bin/python3 with python3-pil and python3-torchvision
        ["stream-folder"] = ["images_per_s", "baseline_rss_mb", "peak_rss_mb"],
        ["gemm"] = ["gflops"],
        ["conv-guard"] = [], // ms per layer, images_per_s per step: checked below
    };

    [Fact]
    public void The_workloads_are_registered_in_order() =>
        Assert.Equal(ExpectedUnits.Keys, BenchWorkloads.All.Select(w => w.Name));

    public static TheoryData<string> Names() => [.. BenchWorkloads.All.Select(w => w.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Smoke_run_returns_positive_finite_figures_in_the_issue_units(string name)
    {
        var workload = BenchWorkloads.Select([name]).Single();
        var results = workload.Run(BenchSettings.SmokeRun);
        Assert.NotEmpty(results);
        Assert.Equal(results.Count, results.Select(r => r.Key).Distinct().Count());
        foreach (var r in results)
        {
            Assert.Equal(name, r.Name);
            if (name.EndsWith("-bf16", StringComparison.Ordinal) && !ContrastiveLab.Runtime.CpuBf16.Supported)
            {
                Assert.Empty(r.Figures);
                Assert.StartsWith("skipped", r.Note, StringComparison.Ordinal);
                continue;
            }
            foreach (string unit in ExpectedUnits[name])
            {
                Assert.True(r.Figures.ContainsKey(unit), $"{r.Key} lacks {unit}");
            }
            if (name == "conv-guard")
            {
                // Each variant is timed, except oneDNN's on a CPU that hides its cache sizes (it would die there).
                bool skipped = r.Figures.Count == 0;
                Assert.True(skipped ? r.Variant.EndsWith("onednn", StringComparison.Ordinal) && ContrastiveLab.Runtime.CpuCacheProbe.Probe().Hidden
                    : r.Figures.ContainsKey(r.Variant.Contains("step", StringComparison.Ordinal) ? "images_per_s" : "ms"), $"{r.Key}: {string.Join(", ", r.Figures.Keys)} {r.Note}");
            }
            foreach (var (unit, value) in r.Figures)
            {
                Assert.Contains(unit, BenchResult.Units);
                Assert.True(double.IsFinite(value) && value > 0, $"{r.Key}: {unit} = {value}");
            }
        }
    }

    [Fact]
    public void Select_keeps_issue_order_and_names_unknown_workloads()
    {
        Assert.Equal(["loss-bank", "gemm"], BenchWorkloads.Select(["gemm", "loss-bank"]).Select(w => w.Name));
        Assert.Equal(ExpectedUnits.Count, BenchWorkloads.Select([]).Count);
        var e = Assert.Throws<ArgumentException>(() => BenchWorkloads.Select(["gemm", "nope"]));
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
        Assert.Contains("train-small-cnn-bank", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_workload_but_augmentation_has_a_pytorch_reference()
    {
        string script = File.ReadAllText(Path.Combine(Cli.CliRunner.RepositoryRoot(), "benchmarks", "pytorch", "reference.py"));
        foreach (string name in BenchWorkloads.WithPyTorchReference)
        {
            Assert.Contains($"\"{name}\": ", script, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("augment-cifar", BenchWorkloads.WithPyTorchReference);
    }
}
