using System.Diagnostics;
using System.Text.Json.Nodes;
using ContrastiveLab.Training;
using TorchSharp;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// One uninterrupted in-process run of <see cref="TrainerTests.Tiny"/>, shared by the tests that compare against it:
/// its summary, its wall time, and the number of live tensors on the training thread after each epoch.
/// </summary>
public sealed class ReferenceRunFixture : IDisposable
{
    public ReferenceRunFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "cl-reference-" + Guid.NewGuid().ToString("N"));
        var live = new List<long>();
        var watch = Stopwatch.StartNew();
        Summary = Trainer.Run(Config, Path.Combine(Root, "reference"), new TrainRunOptions
        {
            Threads = 2,
            Progress = p =>
            {
                if (p.EpochFinished)
                {
                    live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
                }
            },
        });
        Seconds = watch.Elapsed.TotalSeconds;
        LiveTensorsAfterEpoch = live;
    }

    /// <summary>The tiny config (3 epochs of 6 steps).</summary>
    public static TrainConfig Config { get; } = TrainerTests.Tiny();

    public string Root { get; }

    public JsonObject Summary { get; }

    public double Seconds { get; }

    /// <summary>Live tensors after epochs 1, 2, 3.</summary>
    public IReadOnlyList<long> LiveTensorsAfterEpoch { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
