using ContrastiveLab.Data;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Data;

/// <summary>
/// Image folders are indexed once (every file decoded, the result cached beside the data) and then decoded one image
/// at a time as the loader asks, so memory does not grow with the folder.
/// </summary>
public sealed class FolderStreamingTests
{
    private static string Copy(TempFolder temp)
    {
        string cats = Directory.CreateDirectory(temp["cats"]).FullName;
        string dogs = Directory.CreateDirectory(temp["dogs"]).FullName;
        File.Copy(Fixtures.File("imagenet100/train/n01558993/n01558993_0.JPEG"), Path.Combine(cats, "a.JPEG"));
        File.Copy(Fixtures.File("imagenet100/train/n01558993/n01558993_1.JPEG"), Path.Combine(cats, "b.JPEG"));
        File.Copy(Fixtures.File("imagenet100/train/n01729322/n01729322_1.JPEG"), Path.Combine(dogs, "c.JPEG"));
        return cats;
    }

    // Zeroes all but the file's first bytes and restores its time: the folder's listing (names, sizes, times) is unchanged.
    private static void DamageKeepingSizeAndTime(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var stamp = File.GetLastWriteTimeUtc(file);
        Array.Fill(bytes, (byte)0, 4, bytes.Length - 4);
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, stamp);
    }

    [Fact]
    public void A_folder_split_decodes_on_demand_the_same_pixels_as_a_whole_decode()
    {
        using var temp = Fixtures.Temp();
        Copy(temp);
        var split = FolderDatasetReader.ReadFolder(temp.Path)["train"];

        Assert.False(split.InMemory);
        Assert.Throws<InvalidOperationException>(() => split.Pixels);
        Assert.Equal([0, 0, 1], split.Labels);
        string[] files = [temp["cats/a.JPEG"], temp["cats/b.JPEG"], temp["dogs/c.JPEG"]];
        for (int i = 0; i < files.Length; i++)
        {
            var (pixels, shape) = ImageDecoder.DecodeRgb(File.ReadAllBytes(files[i]), files[i]);
            Assert.Equal(shape, split.Shape(i));
            Assert.True(pixels.AsSpan().SequenceEqual(split.Image(i)), $"image {i} differs from a whole decode of {files[i]}");
            // Lent from a pooled buffer: the same pixels, exactly as many; a region is the whole decode's region.
            var whole = new ImageRegion(0, 0, shape.Height, shape.Width);
            var part = new ImageRegion(shape.Height / 3, shape.Width / 4, shape.Height / 2, shape.Width / 2);
            foreach (var region in new[] { whole, part })
            {
                byte[]? lent = null;
                split.ReadRegion(i, region, (p, held) =>
                {
                    Assert.Equal(region, held);
                    lent = p.ToArray();
                });
                Assert.Equal(RegionDecodeTests.Cut(pixels, shape, region), lent);
            }
        }
    }

    [Fact]
    public void The_index_is_cached_beside_the_data_and_rebuilt_when_the_folder_changes()
    {
        using var temp = Fixtures.Temp();
        string cats = Copy(temp);
        Assert.Equal(3, FolderDatasetReader.ReadFolder(temp.Path)["train"].Count);
        Assert.True(File.Exists(temp[FolderIndex.FileName]));

        // Damage a file but keep its size and time: the cached index still vouches for it, so reading the folder does
        // not decode it again, and the damage shows when the image itself is decoded, as a one-line error naming it.
        string b = Path.Combine(cats, "b.JPEG");
        DamageKeepingSizeAndTime(b);
        var cached = FolderDatasetReader.ReadFolder(temp.Path)["train"];
        Assert.Equal(3, cached.Count);
        var late = Assert.Throws<DataFormatException>(() => cached.Image(1).ToArray());
        Assert.Contains("b.JPEG", late.Message);

        // A changed folder (a new file) is indexed anew, which decodes every file and so finds the damaged one.
        File.Copy(Path.Combine(cats, "a.JPEG"), Path.Combine(cats, "d.JPEG"));
        var skipped = new List<string>();
        var rebuilt = FolderDatasetReader.ReadFolder(temp.Path, new FolderDatasetOptions(true, (file, _) => skipped.Add(Path.GetFileName(file))))["train"];
        Assert.Equal(["b.JPEG"], skipped);
        Assert.Equal(3, rebuilt.Count);
        Assert.Throws<DataFormatException>(() => FolderDatasetReader.ReadFolder(temp.Path));
    }

    [Fact]
    public void A_damaged_or_foreign_cache_is_ignored_and_rebuilt()
    {
        using var temp = Fixtures.Temp();
        Copy(temp);
        File.WriteAllText(temp[FolderIndex.FileName], "{\"stamp\": \"nonsense\", \"entries\": [{\"path\": \"../../etc/passwd\", \"label\": 0, \"height\": 1, \"width\": 1}], \"skipped\": []}");
        Assert.Equal(3, FolderDatasetReader.ReadFolder(temp.Path)["train"].Count);
        File.WriteAllText(temp[FolderIndex.FileName], "{ not json");
        Assert.Equal(3, FolderDatasetReader.ReadFolder(temp.Path)["train"].Count);
    }

    [Fact]
    public void An_image_damaged_after_indexing_stops_training_with_one_error_naming_it()
    {
        using var temp = Fixtures.Temp();
        string cats = Copy(temp);
        var config = new TrainConfig
        {
            Dataset = "folder", DataPath = temp.Path, Epochs = 1, BatchSize = 2, KnnK = 2, DiagnosticAnchors = 2, Workers = 1, Augmentation = "fashion-mnist",
        };
        FolderDatasetReader.ReadFolder(temp.Path); // the index, cached
        string b = Path.Combine(cats, "b.JPEG");
        DamageKeepingSizeAndTime(b);

        var e = Assert.Throws<DataFormatException>(() => Trainer.Run(config, temp["run"], new TrainRunOptions { Threads = 1 }));
        Assert.Contains("b.JPEG", e.Message);
    }

    [Fact]
    public void A_file_that_does_not_decode_stops_a_run_or_with_skip_bad_images_is_left_out_and_counted()
    {
        using var temp = Fixtures.Temp();
        string cats = Copy(temp);
        File.Copy(Path.Combine(cats, "a.JPEG"), Path.Combine(cats, "d.JPEG"));
        File.WriteAllBytes(Path.Combine(cats, "e.JPEG"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 0]);
        var config = new TrainConfig
        {
            Dataset = "folder", DataPath = temp.Path, Epochs = 1, BatchSize = 2, KnnK = 2, DiagnosticAnchors = 2, Workers = 1, Augmentation = "fashion-mnist",
        };

        var e = Assert.Throws<DataFormatException>(() => Trainer.Run(config, temp["strict"], new TrainRunOptions { Threads = 1 }));
        Assert.Contains("e.JPEG", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var log = new StringWriter();
        var summary = Trainer.Run(config with { SkipBadImages = true }, temp["skipping"], new TrainRunOptions { Threads = 1, Log = log });
        Assert.Equal(4, summary["train_images"]!.GetValue<int>());
        Assert.Contains("data: skip_bad_images left out 1 image file that would not decode; the first: " + Path.Combine(cats, "e.JPEG"), log.ToString());
        Assert.Contains("\"skip_bad_images\": true", File.ReadAllText(temp["skipping/config.json"]));
    }
}
