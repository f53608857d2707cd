using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using ContrastiveLab.Data;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Data;

/// <summary>Tar shards in the WebDataset layout: written, read back as the same images, read by Python's tarfile, refused when damaged.</summary>
public sealed class ShardDatasetTests
{
    private static string Folder(TempFolder temp)
    {
        foreach (var (cls, file) in new[] { ("cats", "n01558993/n01558993_0.JPEG"), ("cats", "n01558993/n01558993_1.JPEG"), ("dogs", "n01729322/n01729322_1.JPEG"), ("dogs", "n01692333/n01692333_0.JPEG") })
        {
            Directory.CreateDirectory(temp[Path.Combine("images", cls)]);
            File.Copy(Fixtures.File("imagenet100/train/" + file), temp[Path.Combine("images", cls, Path.GetFileName(file))]);
        }
        return temp["images"];
    }

    [SkippableFact]
    public void Shards_hold_the_same_images_labels_and_order_as_the_folder_and_python_reads_them()
    {
        using var temp = Fixtures.Temp();
        string folder = Folder(temp);
        var fromFolder = FolderDatasetReader.ReadFolder(folder)["train"];
        var shards = ShardDataset.Write(FolderDatasetReader.ReadFolder(folder), temp["shards"], shardBytes: 2048);

        Assert.True(shards.Count > 1, "a small shard size must split the samples over several shards");
        var fromShards = ShardDataset.Read(temp["shards"])["train"];
        Assert.Equal(fromFolder.Labels, fromShards.Labels);
        Assert.Equal(fromFolder.ClassNames, fromShards.ClassNames);
        for (int i = 0; i < fromFolder.Count; i++)
        {
            Assert.True(fromFolder.Image(i).SequenceEqual(fromShards.Image(i)), $"image {i} differs between folder and shards");
        }

        Skip.IfNot(File.Exists(Prerequisites.Python), $"{Prerequisites.Python} is missing");
        var python = Process.Start(new ProcessStartInfo(Prerequisites.Python, ["-c", "import sys, tarfile; print(' '.join(n for p in sys.argv[1:] for n in tarfile.open(p).getnames()))", .. shards])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string names = python.StandardOutput.ReadToEnd().Trim();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, python.StandardError.ReadToEnd());
        // Each sample as KEY.jpg or KEY.png (the file's own format, whatever its name said) then KEY.cls, in order.
        string expected = string.Join(' ', Enumerable.Range(0, fromFolder.Count)
            .Select(i => $"{i:D6}.{(fromFolder.Encoded!(i).Format == "jpeg" ? "jpg" : "png")} {i:D6}.cls"));
        Assert.Equal(expected, names);
    }

    [Fact]
    public void A_run_trains_to_the_same_numbers_from_the_folder_and_from_its_shards()
    {
        using var temp = Fixtures.Temp();
        string folder = Folder(temp);
        ShardDataset.Write(FolderDatasetReader.ReadFolder(folder), temp["shards"], shardBytes: 4096);
        var config = new TrainConfig
        {
            Dataset = "folder", DataPath = folder, Epochs = 2, BatchSize = 2, KnnK = 2, DiagnosticAnchors = 2, Workers = 1, Augmentation = "fashion-mnist",
        };

        var a = Trainer.Run(config, temp["run-folder"], new TrainRunOptions { Threads = 1 });
        var b = Trainer.Run(config with { DataPath = temp["shards"] }, temp["run-shards"], new TrainRunOptions { Threads = 1 });

        Assert.Equal(ContrastiveLab.Tests.Training.TrainerTests.Deterministic(a), ContrastiveLab.Tests.Training.TrainerTests.Deterministic(b));
    }

    [Fact]
    public void The_image_shapes_are_cached_beside_the_shards_and_checked_again_when_a_shard_changes()
    {
        using var temp = Fixtures.Temp();
        var folder = FolderDatasetReader.ReadFolder(Folder(temp))["train"];
        ShardDataset.Write(new ImageDataset("folder", [folder]), temp["shards"], shardBytes: 1 << 20);
        // Writing the shards writes the cache too: their first read need not decode every image.
        Assert.True(File.Exists(temp["shards/train/" + FolderIndex.FileName]));

        // Damage the first image's data but keep the shard's size and time: the cache still vouches for it, so opening
        // does not decode it again, and the damage shows when the image itself is decoded, as a one-line error.
        string shard = temp["shards/train/000000.tar"];
        var stamp = File.GetLastWriteTimeUtc(shard);
        var bytes = File.ReadAllBytes(shard);
        Array.Fill(bytes, (byte)0, 512 + 4, 1000);
        File.WriteAllBytes(shard, bytes);
        File.SetLastWriteTimeUtc(shard, stamp);
        var cached = ShardDataset.Read(temp["shards"])["train"];
        Assert.Equal(Enumerable.Range(0, folder.Count).Select(folder.Shape), Enumerable.Range(0, cached.Count).Select(cached.Shape));
        var e = Assert.Throws<DataFormatException>(() => cached.Image(0).ToArray());
        Assert.Contains(shard, e.Message);

        // A shard with another time is checked again when opened.
        File.SetLastWriteTimeUtc(shard, stamp.AddHours(1));
        e = Assert.Throws<DataFormatException>(() => ShardDataset.Read(temp["shards"]));
        Assert.Contains(shard, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_sample_that_does_not_decode_is_refused_or_with_skipping_left_out_and_reported()
    {
        using var temp = Fixtures.Temp();
        ShardDataset.Write(FolderDatasetReader.ReadFolder(Folder(temp)), temp["shards"], shardBytes: 1 << 20);
        string shard = temp["shards/train/000000.tar"];
        byte[] image = File.ReadAllBytes(Fixtures.File("imagenet100/train/n01729322/n01729322_1.JPEG"));
        using (var stream = File.Create(shard))
        {
            using var tar = new TarWriter(stream, TarEntryFormat.Ustar);
            void Add(string name, byte[] data) => tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("000000.jpg", image);
            Add("000000.cls", Encoding.ASCII.GetBytes("0"));
            Add("000001.jpg", image[..200]);
            Add("000001.cls", Encoding.ASCII.GetBytes("1"));
        }

        var e = Assert.Throws<DataFormatException>(() => ShardDataset.Read(temp["shards"]));
        Assert.Contains($"{shard} (sample 1)", e.Message);
        var reported = new List<string>();
        var split = ShardDataset.Read(temp["shards"], new FolderDatasetOptions(true, (file, why) => reported.Add(file)))["train"];
        Assert.Equal([0], split.Labels);
        Assert.Equal([$"{shard} (sample 1)"], reported);
    }

    [Theory]
    [InlineData("missing-label", "sample 0 has no .cls label")]
    [InlineData("hostile-name", "entry '../../evil.jpg' is not KEY.jpg")]
    [InlineData("bad-label", "is not a label from 0 to 1")]
    [InlineData("huge-label", "more than a label may be")]
    [InlineData("not-a-tar", "not a readable tar shard")]
    public void A_damaged_shard_is_refused_in_one_line_naming_it(string damage, string problem)
    {
        using var temp = Fixtures.Temp();
        ShardDataset.Write(FolderDatasetReader.ReadFolder(Folder(temp)), temp["shards"], shardBytes: 1 << 20);
        string shard = temp["shards/train/000000.tar"];
        byte[] image = File.ReadAllBytes(Fixtures.File("imagenet100/train/n01729322/n01729322_1.JPEG"));
        using (var stream = File.Create(shard))
        {
            if (damage == "not-a-tar")
            {
                stream.Write(Encoding.ASCII.GetBytes(new string('x', 2000)));
            }
            else
            {
                using var tar = new TarWriter(stream, TarEntryFormat.Ustar);
                void Add(string name, byte[] data) => tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
                Add(damage == "hostile-name" ? "../../evil.jpg" : "000000.jpg", image);
                if (damage != "missing-label")
                {
                    Add("000000.cls", Encoding.ASCII.GetBytes(damage switch { "bad-label" => "7", "huge-label" => new string('1', 100), _ => "0" }));
                }
            }
        }

        var e = Assert.Throws<DataFormatException>(() => ShardDataset.Read(temp["shards"]));
        Assert.Contains(shard, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
