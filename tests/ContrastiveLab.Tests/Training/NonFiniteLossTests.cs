using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// A run whose weights turn NaN mid-epoch (as a diverging run's do) stops at that step with a message naming the epoch
/// and step, exits 3 through the CLI, keeps the last good checkpoint, and resumes from it to the same end as a run
/// that never failed.
/// </summary>
[Collection(ReferenceRunCollection.Name)]
public sealed class NonFiniteLossTests(ReferenceRunFixture reference) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-nonfinite-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_nan_loss_stops_the_run_naming_epoch_and_step_and_the_last_checkpoint_resumes()
    {
        Directory.CreateDirectory(_root);
        string config = Path.Combine(_root, "tiny.json");
        File.WriteAllText(config, TrainConfig.ToJson(ReferenceRunFixture.Config));
        string run = Path.Combine(_root, "run");

        // Six steps an epoch: global step 8 is epoch 2, step 2. Poison the weights just before it.
        Trainer.FaultBeforeStep = (step, model) =>
        {
            if (step == 8)
            {
                using var _ = no_grad();
                foreach (var p in model.parameters())
                {
                    p.fill_(double.NaN);
                }
            }
        };
        (int code, string stdout, string stderr) failed;
        try
        {
            failed = CliRunner.Run("--threads", "2", "train", "--config", config, "--out", run);
        }
        finally
        {
            Trainer.FaultBeforeStep = null;
        }

        Assert.Equal(3, failed.code);
        string error = Assert.Single(failed.stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: loss became NaN at epoch 2, step 2 (global step 8)", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(run, "checkpoints"), error, StringComparison.Ordinal);
        Assert.False(Trainer.IsFinished(run));

        // The checkpoint of epoch 1 is the newest, and it passes its checksums.
        var rejected = new List<string>();
        var latest = new CheckpointStore(run).LatestValid(rejected);
        Assert.Empty(rejected);
        Assert.NotNull(latest);
        Assert.Equal("epoch-0001", latest.Name);

        var resumed = CliRunner.Run("--threads", "2", "train", "--out", run, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunFiles.Summary)))!.AsObject();
        Assert.Equal(TrainerTests.Deterministic(reference.Summary), TrainerTests.Deterministic(summary));
    }

    public void Dispose()
    {
        Trainer.FaultBeforeStep = null;
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
