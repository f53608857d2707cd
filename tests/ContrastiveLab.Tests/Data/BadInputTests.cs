using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using ContrastiveLab.Data;

namespace ContrastiveLab.Tests.Data;

/// <summary>Damaged and hostile files fail with a clear message that names the file, before any big allocation.</summary>
public class BadInputTests
{
    private static byte[] IdxHeader(int magic, params int[] dims)
    {
        var header = new byte[4 * (dims.Length + 1)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 * (i + 1)), dims[i]);
        }
        return header;
    }

    private static void AssertFails(string path, string problem, Action read)
    {
        var e = Assert.Throws<DataFormatException>(read);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_header_claiming_more_images_than_the_file_holds_is_truncated()
    {
        using var temp = Fixtures.Temp();
        string path = temp["images"];
        File.WriteAllBytes(path, [.. IdxHeader(IdxReader.ImagesMagic, 1000, 28, 28), .. new byte[10 * 784]]);
        AssertFails(path, "truncated", () => IdxReader.ReadImages(path));
    }

    [Fact]
    public void Gzipped_idx_header_claiming_gigabytes_fails_without_allocating_them()
    {
        using var temp = Fixtures.Temp();
        string path = temp["images.gz"];
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write([.. IdxHeader(IdxReader.ImagesMagic, 2_000_000, 1000, 1000), .. new byte[5000]]);
        }
        long before = GC.GetTotalAllocatedBytes(precise: true);
        AssertFails(path, "more than one array", () => IdxReader.ReadImages(path));
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write([.. IdxHeader(IdxReader.ImagesMagic, 1_000_000, 28, 28), .. new byte[5000]]);
        }
        AssertFails(path, "truncated", () => IdxReader.ReadImages(path));
        // The header claimed 784 MB; what was read is a few kilobytes, so the buffer stayed near 1 MiB.
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16L << 20);
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        using var temp = Fixtures.Temp();
        string path = temp["t10k-images-idx3-ubyte.gz"];
        var whole = File.ReadAllBytes(Fixtures.File("t10k-images-idx3-ubyte.gz"));
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Idx_wrong_magic_is_named()
    {
        // A labels file where an images file belongs.
        string labels = Fixtures.File("train-labels-idx1-ubyte.gz");
        AssertFails(labels, "wrong magic number 0x00000801", () => IdxReader.ReadImages(labels));
    }

    [Fact]
    public void Idx_label_out_of_range_is_named_with_its_index()
    {
        using var temp = Fixtures.Temp();
        string path = temp["labels"];
        File.WriteAllBytes(path, [.. IdxHeader(IdxReader.LabelsMagic, 3), 1, 10, 2]);
        AssertFails(path, "label 10 of item 1 is out of range 0..9", () => IdxReader.ReadLabels(path, 10));
    }

    [Fact]
    public void Cifar_truncated_batch_and_label_out_of_range_are_reported()
    {
        using var temp = Fixtures.Temp();
        string dir = Directory.CreateDirectory(temp[CifarReader.Cifar10Folder]).FullName;
        var record = new byte[3073];
        foreach (string name in new[] { "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch" })
        {
            File.WriteAllBytes(Path.Combine(dir, name + ".bin"), record);
        }
        File.WriteAllBytes(Path.Combine(dir, "data_batch_3.bin"), record[..3000]);
        AssertFails(Path.Combine(dir, "data_batch_3.bin"), "not a whole number of 3073-byte records", () => CifarReader.ReadCifar10(temp.Path));
        File.WriteAllBytes(Path.Combine(dir, "data_batch_3.bin"), record);
        record[0] = 10;
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), record);
        AssertFails(Path.Combine(dir, "test_batch.bin"), "label 10 out of range 0..9", () => CifarReader.ReadCifar10(temp.Path));
    }

    [Theory]
    [InlineData("cifar-10-batches-bin/../../evil.bin", "contains '..'")]
    [InlineData("/etc/evil.bin", "absolute path")]
    public void Tar_entries_that_escape_the_folder_refuse_the_archive(string entryName, string problem)
    {
        using var temp = Fixtures.Temp();
        string path = temp[CifarReader.Cifar10Archive];
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, entryName) { DataStream = new MemoryStream(new byte[3073]) };
            tar.WriteEntry(entry);
        }
        AssertFails(path, problem, () => CifarReader.ReadCifar10(path));
    }

    [Fact]
    public void Empty_missing_and_unmatched_class_folders_are_reported()
    {
        using var temp = Fixtures.Temp();
        AssertFails(temp["nowhere"], "missing folder", () => FolderDatasetReader.ReadFolder(temp["nowhere"]));
        AssertFails(temp.Path, "has no class folders", () => FolderDatasetReader.ReadFolder(temp.Path));
        Directory.CreateDirectory(temp["cats"]);
        AssertFails(temp["cats"], "empty class folder", () => FolderDatasetReader.ReadFolder(temp.Path));

        // ImageNet100: a class in train/ but not in val/.
        foreach (string split in new[] { "train", "val" })
        {
            foreach (string wnid in split == "train" ? new[] { "n01558993", "n01692333" } : ["n01558993"])
            {
                string folder = Directory.CreateDirectory(Path.Combine(temp.Path, "in100", split, wnid)).FullName;
                File.Copy(Fixtures.File($"imagenet100/train/{wnid}/{wnid}_1.JPEG"), Path.Combine(folder, "a.JPEG"));
            }
        }
        AssertFails(temp["in100"], "'n01692333' is in only one of train/ and val/", () => FolderDatasetReader.ReadImageNet100(temp["in100"]));
    }

    [Fact]
    public void Undecodable_images_fail_or_are_skipped_and_counted()
    {
        using var temp = Fixtures.Temp();
        string cats = Directory.CreateDirectory(temp["cats"]).FullName;
        File.Copy(Fixtures.File("imagenet100/train/n01558993/n01558993_1.JPEG"), Path.Combine(cats, "good.JPEG"));
        File.WriteAllText(Path.Combine(cats, "notes.JPEG"), "this is text, not an image");
        var jpeg = File.ReadAllBytes(Fixtures.File("imagenet100/train/n01729322/n01729322_1.JPEG"));
        Assert.Equal("jpeg", ImageDecoder.Sniff(jpeg));
        File.WriteAllBytes(Path.Combine(cats, "truncated.JPEG"), jpeg[..200]);

        AssertFails(Path.Combine(cats, "notes.JPEG"), "neither JPEG nor PNG", () => FolderDatasetReader.ReadFolder(temp.Path));
        var skipped = new List<string>();
        var data = FolderDatasetReader.ReadFolder(temp.Path, new FolderDatasetOptions(true, (file, _) => skipped.Add(Path.GetFileName(file))));
        Assert.Equal(1, data["train"].Count);
        Assert.Equal(["notes.JPEG", "truncated.JPEG"], skipped);
    }

    [Fact]
    public void Mat_file_with_bad_header_text_or_endian_indicator_is_refused()
    {
        using var temp = Fixtures.Temp();
        string path = temp["test_32x32.mat"];
        var good = File.ReadAllBytes(Fixtures.File("test_32x32.mat"));

        var text = (byte[])good.Clone();
        text[0] = (byte)'X';
        File.WriteAllBytes(path, text);
        AssertFails(path, "not a MATLAB 5.0 MAT-file", () => SvhnReader.ReadSplit("test", path));

        var endian = (byte[])good.Clone();
        endian[126] = (byte)'Z';
        File.WriteAllBytes(path, endian);
        AssertFails(path, "endian indicator", () => SvhnReader.ReadSplit("test", path));

        File.WriteAllBytes(path, good[..100]);
        AssertFails(path, "shorter than the 128-byte", () => SvhnReader.ReadSplit("test", path));

        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        AssertFails(path, "truncated", () => SvhnReader.ReadSplit("test", path));
    }

    [Fact]
    public void Mat_element_claiming_more_bytes_than_the_file_holds_is_refused()
    {
        using var temp = Fixtures.Temp();
        string path = temp["train_32x32.mat"];
        var bytes = File.ReadAllBytes(Fixtures.File("train_32x32.mat"));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(132), 0xF000_0000);
        File.WriteAllBytes(path, bytes);
        AssertFails(path, "claims 4026531840 bytes", () => SvhnReader.ReadSplit("train", path));
    }

    [Fact]
    public void Svhn_label_outside_1_to_10_is_refused()
    {
        using var temp = Fixtures.Temp();
        string path = temp["test_32x32.mat"];
        MatWriter.WriteSvhn(path, new byte[32 * 32 * 3 * 2], 32, 32, [3, 11]);
        AssertFails(path, "label 11 of image 1 is out of range 1..10", () => SvhnReader.ReadSplit("test", path));
    }
}
