using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

/// <summary>The trainer's per-epoch log line: what was measured, no NaN placeholders, plurals right.</summary>
public sealed class EpochLineTests
{
    [Fact]
    public void The_untrained_epoch_shows_no_loss_or_rate_placeholders()
    {
        var row = new Dictionary<string, double>
        {
            ["epoch"] = 0, ["step"] = 0, ["lr"] = double.NaN, ["loss"] = double.NaN, ["images_per_s"] = double.NaN,
            ["knn_top1"] = 0.5, ["knn_backbone_top1"] = 0.6, ["neg_uniformity"] = 0.1, ["tolerance"] = 0.9,
        };
        Assert.Equal("epoch 0 (untrained): kNN 50.00 % (backbone 60.00 %), -uniformity 0.100, tolerance 0.900", Trainer.EpochLine(row, 8));
    }

    [Fact]
    public void A_trained_epoch_without_evaluation_shows_its_loss_and_rate_only()
    {
        var row = new Dictionary<string, double> { ["epoch"] = 3, ["step"] = 12, ["lr"] = 0.06, ["loss"] = 6.25, ["images_per_s"] = 412.4, ["knn_top1"] = double.NaN };
        Assert.Equal("epoch 3/8: loss 6.2500, 412 img/s, ETA 00:01:05", Trainer.EpochLine(row, 8, TimeSpan.FromSeconds(65)));
        row["epoch"] = 8;
        Assert.Equal("epoch 8/8: loss 6.2500, 412 img/s", Trainer.EpochLine(row, 8, TimeSpan.Zero)); // the last epoch has nothing left
    }

    [Fact]
    public void Counts_use_the_singular_for_one()
    {
        Assert.Equal("1 epoch", Trainer.Count(1, "epoch"));
        Assert.Equal("0 epochs", Trainer.Count(0, "epoch"));
        Assert.Equal("30 epochs", Trainer.Count(30, "epoch"));
        Assert.Contains(", 1 epoch, batch", (TrainerTests.Tiny() with { Epochs = 1 }).Describe, StringComparison.Ordinal);
    }
}
