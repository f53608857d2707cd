using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;

namespace ContrastiveLab.Bench;

/// <summary>
/// The training step of <see cref="Trainer"/> (<see cref="TrainingStep"/>) on random input tensors of the right shape (data loading and
/// augmentation excluded): forward, contrastive loss, backward, SGD (lr 0.06, momentum 0.9, weight decay 5e-4),
/// and for the memory bank the bank update. Images per second counts anchors (one per image, whatever the views).
/// </summary>
internal sealed class TrainingStepBench : IDisposable
{
    private const double Tau = 0.2;
    private readonly ContrastiveEncoder _model;
    private readonly optim.Optimizer _optimizer;
    private readonly MemoryBank? _bank;
    private readonly INegativeSource _negatives;
    private readonly TrainingStep _step;
    private readonly Tensor _view1;
    private readonly Tensor? _view2;
    private readonly int _batch;

    /// <param name="model">Model name of <see cref="ModelFactory"/>.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="size">Image side.</param>
    /// <param name="batch">Images per step.</param>
    /// <param name="bankSize">N of the memory bank, or null for in-batch negatives over two views.</param>
    /// <param name="bf16">Convolutions in bfloat16 (<c>precision = bf16</c>).</param>
    public TrainingStepBench(string model, int channels, int size, int batch, long? bankSize, bool bf16 = false)
    {
        manual_seed(1);
        _batch = batch;
        _model = ModelFactory.Create(model, channels);
        _model.train();
        _optimizer = optim.SGD(_model.parameters(), 0.06, 0.9, weight_decay: 5e-4);
        _bank = bankSize is { } n ? new MemoryBank(n, 128) : null;
        _negatives = _bank is null ? new InBatchSource() : new MemoryBankSource(_bank, initialiseFromEncoder: false);
        _step = new TrainingStep(_model, _optimizer, new ContrastiveLoss(Tau), _negatives, bf16);
        _view1 = randn(batch, channels, size, size);
        _view2 = _bank is null ? randn(batch, channels, size, size) : null;
    }

    /// <summary>Runs <paramref name="steps"/> training steps; returns the last loss value.</summary>
    public double Steps(int steps)
    {
        double value = double.NaN;
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            // The trainer's shuffled batches: a fresh random subset of the bank rows each step.
            var indices = _bank is null ? arange(_batch, dtype: ScalarType.Int64) : randperm(_bank.Size).narrow(0, 0, _batch);
            value = _step.Run(indices, _view1, _view2);
        }
        return value;
    }

    /// <summary>Median images per second of <paramref name="stepsPerRun"/> steps, after <paramref name="warmupSteps"/> steps.</summary>
    public double ImagesPerSecond(int warmupSteps, int stepsPerRun, int repeats)
    {
        Steps(warmupSteps);
        double seconds = BenchClock.MedianSeconds(() => Steps(stepsPerRun), 0, repeats);
        return (double)_batch * stepsPerRun / seconds;
    }

    /// <summary>Builds the step, measures it (a single step in smoke mode) and returns the workload's result.</summary>
    public static BenchResult Measure(string name, string model, int channels, int size, int batch, long? bankSize,
        BenchSettings settings, int warmupSteps, int stepsPerRun, int repeats, string note, bool bf16 = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var bench = new TrainingStepBench(model, channels, size, batch, bankSize, bf16);
        double rate = settings.Smoke ? bench.ImagesPerSecond(0, 1, 1) : bench.ImagesPerSecond(warmupSteps, stepsPerRun, repeats);
        // Achieved rate: the layers' FLOPs of a training step (forward + backward, both views for in-batch negatives).
        double flopsPerImage = ModelFlops.TrainingPerImage(bench._model, channels, size) * (bankSize is null ? 2 : 1);
        return new BenchResult(name, "", new Dictionary<string, double> { ["images_per_s"] = rate, ["gflops"] = rate * flopsPerImage / 1e9 }, note);
    }

    public void Dispose()
    {
        _view1.Dispose();
        _view2?.Dispose();
        _bank?.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
