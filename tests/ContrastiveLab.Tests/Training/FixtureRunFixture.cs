using System.Diagnostics;
using System.Text.Json.Nodes;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// One uninterrupted in-process run of <see cref="Config"/> on the Fashion-MNIST IDX fixture (18 training, 6 test
/// images; 3 epochs of 4 steps, a few seconds), for the fault tests that compare a damaged-and-resumed run with it.
/// </summary>
public sealed class FixtureRunFixture : IDisposable
{
    public FixtureRunFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "cl-fixture-run-" + Guid.NewGuid().ToString("N"));
        var watch = Stopwatch.StartNew();
        Summary = Trainer.Run(Config(), ReferenceDirectory, new TrainRunOptions { Threads = 2 });
        Seconds = watch.Elapsed.TotalSeconds;
    }

    /// <summary>The fixture config with the given negative source and loss.</summary>
    public static TrainConfig Config(string negatives = "memory-bank", string loss = "contrastive") => new()
    {
        Dataset = "fashion-mnist",
        DataPath = Path.Combine(AppContext.BaseDirectory, "Fixtures"),
        BatchSize = 4,
        Epochs = 3,
        Negatives = negatives,
        Loss = loss,
        QueueSize = 8,
        DiagnosticAnchors = 6,
        KnnK = 3,
        Workers = 2,
        Seed = 3,
    };

    public string Root { get; }

    /// <summary>The uninterrupted run's folder.</summary>
    public string ReferenceDirectory => Path.Combine(Root, "reference");

    public JsonObject Summary { get; }

    public double Seconds { get; }

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

/// <summary>Test classes sharing one <see cref="FixtureRunFixture"/>; not parallel, as exact-equality checks need libtorch's generator alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FixtureRunCollection : ICollectionFixture<FixtureRunFixture>
{
    public const string Name = "fixture run";
}
