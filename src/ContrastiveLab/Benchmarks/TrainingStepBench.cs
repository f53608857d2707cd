using ContrastiveLab.Core.Losses;
using ContrastiveLab.Models;
using ContrastiveLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Benchmarks;

/// <summary>
/// The training step of <see cref="Trainer"/> on random input tensors of the right shape (data loading and
/// augmentation excluded): forward, contrastive loss, backward, SGD (lr 0.06, momentum 0.9, weight decay 5e-4),
/// and for the memory bank the bank update. Images per second counts anchors (one per image, whatever the views).
/// </summary>
internal sealed class TrainingStepBench : IDisposable
{
    private const double Tau = 0.2;
    private readonly ContrastiveEncoder _model;
    private readonly optim.Optimizer _optimizer;
    private readonly MemoryBank? _bank;
    private readonly ContrastiveLoss _loss = new(Tau);
    private readonly Tensor _views;
    private readonly int _batch;

    /// <param name="model">Model name of <see cref="ModelFactory"/>.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="size">Image side.</param>
    /// <param name="batch">Images per step.</param>
    /// <param name="bankSize">N of the memory bank, or null for in-batch negatives over two views.</param>
    public TrainingStepBench(string model, int channels, int size, int batch, long? bankSize)
    {
        manual_seed(1);
        _batch = batch;
        _model = ModelFactory.Create(model, channels);
        _model.train();
        _optimizer = optim.SGD(_model.parameters(), 0.06, 0.9, weight_decay: 5e-4);
        _bank = bankSize is { } n ? new MemoryBank(n, 128) : null;
        int views = _bank is null ? 2 : 1;
        _views = randn(views * batch, channels, size, size);
    }

    /// <summary>Runs <paramref name="steps"/> training steps; returns the last loss value.</summary>
    public double Steps(int steps)
    {
        double value = double.NaN;
        for (int i = 0; i < steps; i++)
        {
            value = Step();
        }
        return value;
    }

    // The body of Trainer.Run's local Step for the memory-bank and in-batch cases, on fixed input tensors.
    private double Step()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        Tensor value;
        if (_bank is not null)
        {
            var indices = randperm(_bank.Size).narrow(0, 0, _batch);
            var z = _model.forward(_views);
            var positives = _bank.Gather(indices);
            value = _loss.Forward(z, positives, Negatives.Shared(_bank.Entries, indices));
            value.backward();
            _optimizer.step();
            _bank.Update(indices, z.detach());
        }
        else
        {
            var both = _model.forward(_views);
            var z1 = both.narrow(0, 0, _batch);
            var z2 = both.narrow(0, _batch, _batch);
            value = (_loss.Forward(z1, z2, Negatives.InBatch) + _loss.Forward(z2, z1, Negatives.InBatch)) / 2;
            value.backward();
            _optimizer.step();
        }
        return value.item<float>();
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
        BenchSettings settings, int warmupSteps, int stepsPerRun, int repeats, string note)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var bench = new TrainingStepBench(model, channels, size, batch, bankSize);
        double rate = settings.Smoke ? bench.ImagesPerSecond(0, 1, 1) : bench.ImagesPerSecond(warmupSteps, stepsPerRun, repeats);
        return new BenchResult(name, "", new Dictionary<string, double> { ["images_per_s"] = rate }, note);
    }

    public void Dispose()
    {
        _views.Dispose();
        _bank?.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
