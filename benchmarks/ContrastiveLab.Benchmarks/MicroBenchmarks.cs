using BenchmarkDotNet.Attributes;
using ContrastiveLab.Core.Losses;
using static TorchSharp.torch;

namespace ContrastiveLab.Benchmarks;

/// <summary>
/// Micro-benchmarks under BenchmarkDotNet (statistics, outlier removal, confidence intervals): one forward + backward of
/// each loss of the zoo against a shared bank, the shape of one memory-bank training step (B = 256, D = 128). Run with <c>dotnet run -c Release --project benchmarks/ContrastiveLab.Benchmarks -- micro</c>.
/// </summary>
public class LossMicroBenchmarks
{
    private Tensor _anchors = null!;
    private Tensor _bank = null!;
    private Tensor _index = null!;
    private Tensor _positives = null!;
    private IContrastiveLoss _loss = null!;

    /// <summary>The loss, by its registry name.</summary>
    [Params("contrastive", "simple", "hard", "hard-simple", "single")]
    public string Loss { get; set; } = "contrastive";

    /// <summary>Bank rows M.</summary>
    [Params(16_384)]
    public int BankRows { get; set; }

    /// <summary>Builds the inputs (seeded) and the loss.</summary>
    [GlobalSetup]
    public void Setup()
    {
        manual_seed(7);
        _bank = nn.functional.normalize(randn(BankRows, 128), p: 2, dim: 1);
        _index = randint(0, BankRows, [256], dtype: ScalarType.Int64);
        _anchors = nn.functional.normalize(randn(256, 128), p: 2, dim: 1).requires_grad_();
        _positives = _bank.index_select(0, _index);
        bool hard = Loss is LossRegistry.Hard or LossRegistry.HardSimple;
        _loss = LossRegistry.Create(new LossOptions(Loss, 0.2, hardK: hard ? 4095 : null));
    }

    /// <summary>Forward and backward of the loss; returns the loss so the work cannot be dropped.</summary>
    [Benchmark]
    public float ForwardBackward()
    {
        using var scope = NewDisposeScope();
        _anchors.grad?.zero_();
        var value = _loss.Forward(_anchors, _positives, Negatives.Shared(_bank, _index));
        value.backward();
        return value.item<float>();
    }

    /// <summary>Releases the tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _anchors, _bank, _index, _positives })
        {
            t.Dispose();
        }
    }
}

/// <summary>Micro-benchmark of the tiled set-wise uniformity (the metrics workload's kernel) at a few sizes.</summary>
public class UniformityMicroBenchmarks
{
    private Tensor _embeddings = null!;

    /// <summary>Rows N (N(N − 1)/2 pairs).</summary>
    [Params(2_048, 8_192)]
    public int Rows { get; set; }

    /// <summary>Seeded Gaussian rows of D = 128.</summary>
    [GlobalSetup]
    public void Setup()
    {
        manual_seed(8);
        _embeddings = randn(Rows, 128);
    }

    /// <summary>Set-wise uniformity with t = 2.</summary>
    [Benchmark]
    public double SetWise() => ContrastiveLab.Core.Metrics.Uniformity.SetWise(_embeddings);

    /// <summary>Releases the rows.</summary>
    [GlobalCleanup]
    public void Cleanup() => _embeddings.Dispose();
}
