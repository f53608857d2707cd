using System.Formats.Tar;
using ContrastiveLab.Data;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;

namespace ContrastiveLab.Tests.Fuzz;

/// <summary>Each input the fuzzer found a parser mishandling, reduced to a plain test so the fix stays fixed.</summary>
public class FuzzFindingsTests
{
    [Fact]
    public void Tensor_file_cut_short_is_refused_naming_the_file()
    {
        using var temp = Data.Fixtures.Temp();
        string path = temp["bank.bin"];
        using (var t = TorchSharp.torch.ones(4, 3))
        {
            TensorFile.Save(t, path);
        }
        var whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..^5]);
        var e = Assert.Throws<InvalidDataException>(() => TensorFile.Load(path));
        Assert.StartsWith(path + ": truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensor_file_whose_shape_overflows_beside_a_zero_dimension_is_refused()
    {
        using var temp = Data.Fixtures.Temp();
        string path = temp["bank.bin"];
        // float32, rank 3, dims (2^40, 0, 2^40): zero elements, but libtorch's byte count overflows.
        var bytes = new List<byte> { 6, 3 };
        foreach (long d in new[] { 1L << 40, 0, 1L << 40 })
        {
            for (long v = d; ; v >>= 7)
            {
                bytes.Add((byte)((byte)(v & 0x7F) | (v >= 0x80 ? 0x80 : 0)));
                if (v < 0x80)
                {
                    break;
                }
            }
        }
        File.WriteAllBytes(path, [.. bytes]);
        var e = Assert.Throws<InvalidDataException>(() => TensorFile.Load(path));
        Assert.Contains("larger than the", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tar_header_with_an_overflowing_numeric_field_is_a_data_format_error()
    {
        using var temp = Data.Fixtures.Temp();
        string path = temp["broken.tar"];
        using (var stream = File.Create(path))
        using (var writer = new TarWriter(stream, TarEntryFormat.Ustar))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "a.bin") { DataStream = new MemoryStream([1, 2, 3]) };
            writer.WriteEntry(entry);
        }
        var bytes = File.ReadAllBytes(path);
        // The uid field (offset 108, 8 bytes) in base-256 form with a value no 32-bit field holds; checksum fixed up.
        bytes[108] = 0x80;
        for (int i = 109; i < 116; i++)
        {
            bytes[i] = 0xFF;
        }
        FixChecksum(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => TarArchive.ReadFiles(path, _ => true));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Image_claiming_far_more_pixels_than_its_bytes_can_hold_is_refused_before_decoding()
    {
        using var temp = Data.Fixtures.Temp();
        string path = temp["big.JPEG"];
        // A real JPEG fixture whose frame header (SOF0) is edited to claim 4000x4000: 16 M pixels from a few kilobytes.
        var bytes = File.ReadAllBytes(Directory.EnumerateFiles(Path.Combine(Data.Fixtures.Root, "imagenet100"), "*_1.JPEG", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First());
        Assert.Equal("jpeg", ImageDecoder.Sniff(bytes));
        int sof = Enumerable.Range(0, bytes.Length - 9).First(i => bytes[i] == 0xFF && bytes[i + 1] == 0xC0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), 4000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), 4000);
        File.WriteAllBytes(path, bytes);
        Assert.True(16_000_000 > ImageDecoder.MinPixelAllowance + (ImageDecoder.MaxPixelsPerByte * bytes.Length), $"the test image is {bytes.Length} bytes");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => ImageDecoder.DecodeRgb(File.ReadAllBytes(path), path));
        Assert.Contains("claims 4000x4000 pixels, more than a", e.Problem, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4 * bytes.Length) + (1 << 20));
    }

    [Fact]
    public void Tar_entry_that_names_the_folder_itself_is_refused()
    {
        using var temp = Data.Fixtures.Temp();
        string path = temp["dot.tar"];
        using (var stream = File.Create(path))
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./.") { DataStream = new MemoryStream([1]) });
        }
        var e = Assert.Throws<DataFormatException>(() => TarArchive.ReadFiles(path, _ => true));
        Assert.Contains("names no file", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Sweep_seed_that_is_not_a_whole_number_is_a_sweep_error()
    {
        var e = Assert.Throws<SweepException>(() => SweepFile.Parse("{\"seeds\": [1, 2.5]}", "s.json"));
        Assert.Contains("sweep key 'seeds' holds 2.5", e.Message, StringComparison.Ordinal);
    }

    private static void FixChecksum(byte[] tar)
    {
        for (int i = 148; i < 156; i++)
        {
            tar[i] = (byte)' ';
        }
        int sum = 0;
        for (int i = 0; i < 512; i++)
        {
            sum += tar[i];
        }
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, 148);
    }
}
