using System.Text.Json.Nodes;
using ContrastiveLab.Core.Losses;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Models;
using ContrastiveLab.Training;
using ContrastiveLab.Training.Sources;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// A fourth negative source is one class and one <see cref="NegativeSourceRegistry.Register"/> call: the trainer,
/// the config's validation and checkpoints then know it by name. Shown with a test double.
/// </summary>
public sealed class NegativeSourceRegistryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-sources-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// In-batch negatives in one direction only (view 1 → view 2), counting its steps in a state that goes into the
    /// checkpoint.
    /// </summary>
    private sealed class OneWayInBatch : INegativeSource
    {
        public const string Name = "test-one-way-in-batch";
        public const string StepsKey = "one_way_steps";

        public static NegativeSourceInfo Info { get; } = new(Name, 2, 2, (config, _) => config.BatchSize - 1, _ => new OneWayInBatch());

        public long Steps { get; private set; }

        public Tensor? TrainingEmbeddings => null;

        public bool InitialisesFromEncoder => false;

        public Tensor Step(ContrastiveEncoder model, IContrastiveLoss loss, Tensor indices, Tensor view1, Tensor? view2, Action<Tensor> optimise)
        {
            var z1 = model.forward(view1);
            var z2 = model.forward(view2!);
            var value = loss.Forward(z1, z2, Negatives.InBatch);
            optimise(value);
            Steps++;
            return value;
        }

        public void Initialise(Tensor trainEmbeddings)
        {
        }

        public void Save(CheckpointFiles files) => files.Meta[StepsKey] = Steps;

        public void Restore(CheckpointFiles files) => Steps = files.Meta[StepsKey]!.GetValue<long>();

        public void Dispose()
        {
        }
    }

    private static readonly Lazy<bool> Registered = new(() =>
    {
        NegativeSourceRegistry.Register(OneWayInBatch.Info);
        return true;
    });

    [Fact]
    public void A_registered_source_trains_by_name_and_keeps_its_state_in_the_checkpoint()
    {
        Assert.True(Registered.Value);
        Assert.Contains(OneWayInBatch.Name, TrainConfig.NegativeSources);
        var config = TrainerTests.Tiny(OneWayInBatch.Name) with { Epochs = 1 };
        config.Validate();

        var summary = Trainer.Run(config, _root, new TrainRunOptions { Threads = 2 });

        Assert.Equal(OneWayInBatch.Name, summary["negatives"]!.GetValue<string>());
        long steps = summary["steps"]!.GetValue<long>();
        Assert.True(steps > 0);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(new CheckpointStore(_root).LatestValid()!.Path, RunFiles.CheckpointMeta)))!;
        Assert.Equal(steps, meta[OneWayInBatch.StepsKey]!.GetValue<long>());
        using var setup = TrainingSetup.Create(config, 200, 1, CPU);
        Assert.IsType<OneWayInBatch>(setup.Negatives);
    }

    [Fact]
    public void A_name_is_registered_once_and_an_unknown_name_gets_a_suggestion()
    {
        Assert.True(Registered.Value);
        var twice = Assert.Throws<ArgumentException>(() => NegativeSourceRegistry.Register(OneWayInBatch.Info));
        Assert.Contains("registered already", twice.Message);
        var unknown = Assert.Throws<ArgumentException>(() => NegativeSourceRegistry.Get("memory-bnk"));
        Assert.Contains("did you mean 'memory-bank'", unknown.Message);
        Assert.Equal(["memory-bank", "in-batch", "queue"], NegativeSourceRegistry.Names.Take(3));
    }
}
