using System.Formats.Tar;
using System.IO.Compression;
using ContrastiveLab.Data;

namespace ContrastiveLab.Tests.Data;

/// <summary>Every reader reports the facts the fixture author measured independently (facts.json).</summary>
public class ReaderFactsTests
{
    [Theory]
    [InlineData("train")]
    [InlineData("test")]
    public void Cifar10_from_the_archive_reports_the_fixture_facts(string split) =>
        Fixtures.AssertMatches(Fixtures.Facts("cifar10", split), CifarReader.ReadCifar10(Fixtures.File(CifarReader.Cifar10Archive))[split]);

    [Fact]
    public void Cifar10_from_the_extracted_folder_reports_the_same_facts()
    {
        using var temp = Fixtures.Temp();
        using (var gzip = new GZipStream(File.OpenRead(Fixtures.File(CifarReader.Cifar10Archive)), CompressionMode.Decompress))
        {
            TarFile.ExtractToDirectory(gzip, temp.Path, overwriteFiles: false);
        }
        // Both the folder holding cifar-10-batches-bin/ and that folder itself are accepted.
        foreach (string path in new[] { temp.Path, temp[CifarReader.Cifar10Folder] })
        {
            var data = CifarReader.ReadCifar10(path);
            Fixtures.AssertMatches(Fixtures.Facts("cifar10", "train"), data["train"]);
            Fixtures.AssertMatches(Fixtures.Facts("cifar10", "test"), data["test"]);
        }
    }

    [Theory]
    [InlineData("train")]
    [InlineData("test")]
    public void Cifar100_reports_the_fixture_facts_with_fine_labels_and_keeps_coarse_ones(string split)
    {
        var data = CifarReader.ReadCifar100(Fixtures.File(CifarReader.Cifar100Archive))[split];
        Fixtures.AssertMatches(Fixtures.Facts("cifar100", split), data);
        Assert.NotNull(data.CoarseLabels);
        Assert.Equal(data.Count, data.CoarseLabels.Length);
        Assert.All(data.CoarseLabels, c => Assert.InRange(c, 0, 19));
        Assert.Equal(100, data.ClassNames.Count);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("test")]
    public void Svhn_compressed_and_plain_mat_files_report_the_fixture_facts(string split) =>
        Fixtures.AssertMatches(Fixtures.Facts("svhn", split), SvhnReader.ReadSplit(split, Fixtures.File($"{split}_32x32.mat")));

    [Theory]
    [InlineData("train")]
    [InlineData("test")]
    public void Fashion_mnist_idx_reports_the_fixture_facts(string split) =>
        Fixtures.AssertMatches(Fixtures.Facts("fashion_mnist", split), IdxDatasetReader.Read("fashion-mnist", Fixtures.Root)[split]);

    [Fact]
    public void Uncompressed_idx_files_read_the_same_as_gzipped_ones()
    {
        using var temp = Fixtures.Temp();
        foreach (string stem in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            using var gzip = new GZipStream(File.OpenRead(Fixtures.File(stem + ".gz")), CompressionMode.Decompress);
            using var plain = File.Create(temp[stem]);
            gzip.CopyTo(plain);
        }
        Fixtures.AssertMatches(Fixtures.Facts("fashion_mnist", "train"), IdxDatasetReader.Read("mnist", temp.Path)["train"]);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("val")]
    public void Imagenet100_folder_reports_the_fixture_facts_and_decodes_png_behind_jpeg_names(string split)
    {
        var data = FolderDatasetReader.ReadImageNet100(Fixtures.File("imagenet100"))[split];
        Fixtures.AssertMatches(Fixtures.Facts("imagenet_folder", split), data);
        for (int i = 0; i < data.Count; i++)
        {
            var shape = data.Shape(i);
            Assert.Equal(3, shape.Channels);
            Assert.Equal(shape.Size, data.Image(i).Length);
        }
    }

    [Fact]
    public void First_train_image_of_each_class_is_png_data_and_is_still_decoded()
    {
        string file = Fixtures.File("imagenet100/train/n01558993/n01558993_0.JPEG");
        var bytes = File.ReadAllBytes(file);
        Assert.Equal("png", ImageDecoder.Sniff(bytes));
        var (pixels, shape) = ImageDecoder.DecodeRgb(bytes, file);
        Assert.Equal(shape.Size, pixels.Length);
    }

    [Fact]
    public void Folder_dataset_reads_one_split_with_sorted_class_folders()
    {
        var data = FolderDatasetReader.ReadFolder(Fixtures.File("imagenet100/train"));
        var split = Assert.Single(data.Splits);
        Fixtures.AssertMatches(Fixtures.Facts("imagenet_folder", "train"), split);
    }

    [Fact]
    public void Imagenet100_class_list_has_100_distinct_wordnet_ids()
    {
        var classes = FolderDatasetReader.ImageNet100Classes;
        Assert.Equal(100, classes.Count);
        Assert.Equal(100, classes.Distinct().Count());
        Assert.All(classes, c => Assert.Matches("^n[0-9]{8}$", c));
    }

    [Fact]
    public void Svhn_column_major_x_becomes_chw_and_label_10_becomes_digit_0()
    {
        const int h = 4, w = 5, n = 2;
        var x = new byte[h * w * 3 * n];
        // MATLAB order: element (row, col, ch, img) at row + H*(col + W*(ch + 3*img)); its value encodes its position.
        for (int img = 0; img < n; img++)
        {
            for (int ch = 0; ch < 3; ch++)
            {
                for (int col = 0; col < w; col++)
                {
                    for (int row = 0; row < h; row++)
                    {
                        x[row + (h * (col + (w * (ch + (3 * img)))))] = (byte)((img * 100) + (ch * 30) + (row * 5) + col);
                    }
                }
            }
        }
        using var temp = Fixtures.Temp();
        MatWriter.WriteSvhn(temp["t.mat"], x, h, w, [10, 7]);
        var split = SvhnReader.ReadSplit("test", temp["t.mat"]);
        Assert.Equal([0, 7], split.Labels);
        Assert.Equal(new ImageShape(3, h, w), split.UniformShape);
        var image = split.Image(1);
        Assert.Equal((byte)(100 + (2 * 30) + (3 * 5) + 4), image[(2 * h * w) + (3 * w) + 4]);
        Assert.Equal((byte)(100 + 30 + 5 + 2), image[(h * w) + w + 2]);
    }
}
