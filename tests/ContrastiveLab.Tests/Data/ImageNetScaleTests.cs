using ContrastiveLab.Bench;
using ContrastiveLab.Data;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Data;

/// <summary>
/// The paper's largest experiment starts on data of ImageNet's scale: a generated ImageNet100 folder larger than
/// 2 GiB decoded (the reader once decoded a folder into one buffer and refused anything above 2 GiB) is indexed and
/// streamed, and paper-imagenet100's first run (ResNet-50 at 224×224, memory bank, the paper's augmentation) trains
/// steps on it. To fit CI, the run trains on the first image of each class and evaluates on one per class; the
/// resident memory of a whole pass over a large folder is measured by `contrastive bench --only stream-folder`.
/// </summary>
// Alone: it keeps both cores busy for about a minute, which would stretch the timing of tests that kill processes at
// measured moments, and it seeds libtorch's global generator (see ReferenceRunCollection).
[Collection(Name)]
public sealed class ImageNetScaleTests
{
    public const string Name = "imagenet scale";

    private const int TrainPerClass = 39; // 100 × 39 × 500 × 375 × 3 bytes = 2.05 GiB decoded

    [Fact]
    public void Paper_imagenet100_trains_steps_on_a_generated_folder_larger_than_2_GiB_decoded()
    {
        using var temp = Fixtures.Temp();
        var wnids = FolderDatasetReader.ImageNet100Classes;
        Parallel.For(0, wnids.Count, c =>
        {
            // The benchmark's 500×375 JPEGs (decode-imagenet, stream-folder).
            DecodeImageNetWorkload.Generate(Directory.CreateDirectory(Path.Combine(temp.Path, "train", wnids[c])).FullName, TrainPerClass, seed: c + 1);
            DecodeImageNetWorkload.Generate(Directory.CreateDirectory(Path.Combine(temp.Path, "val", wnids[c])).FullName, 1, seed: 1000 + c);
        });

        var train = FolderDatasetReader.ReadImageNet100(temp.Path)["train"];
        long decoded = Enumerable.Range(0, train.Count).Sum(i => (long)train.Shape(i).Size);
        Assert.True(decoded > 2L << 30, $"the folder decodes to {decoded} bytes");
        Assert.False(train.InMemory);

        var config = SweepPresets.Get("paper-imagenet100").Expand()[0].Config with
        {
            DataPath = temp.Path, Epochs = 1, MaxSteps = 2, BatchSize = 2, TrainPerClass = 1, DiagnosticAnchors = 8, KnnK = 5, Workers = 2,
        };
        Assert.Equal(("resnet50", "memory-bank", "imagenet100"), (config.Model, config.Negatives, config.Augmentation));
        var summary = Trainer.Run(config, temp["run"], new TrainRunOptions { Threads = 2 });
        Assert.Equal(2, summary["steps"]!.GetValue<long>());
        Assert.True(double.IsFinite(summary["final"]?["loss"]?.GetValue<double>() ?? double.NaN), summary.ToJsonString());
    }
}

[CollectionDefinition(ImageNetScaleTests.Name, DisableParallelization = true)]
public sealed class ImageNetScaleCollection
{
}
