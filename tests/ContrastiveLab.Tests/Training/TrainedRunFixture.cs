using System.Text.Json.Nodes;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

/// <summary>A tiny run trained in-process for one epoch, for the evaluation and export tests.</summary>
public sealed class TrainedRunFixture : IDisposable
{
    public TrainedRunFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "cl-evalexport-" + Guid.NewGuid().ToString("N"));
        Directory = Path.Combine(Root, "run");
        Summary = Trainer.Run(Config, Directory, new TrainRunOptions { Threads = 2 });
    }

    public TrainConfig Config { get; } = TrainerTests.Tiny() with { Epochs = 1 };

    public string Root { get; }

    public string Directory { get; }

    public JsonObject Summary { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
