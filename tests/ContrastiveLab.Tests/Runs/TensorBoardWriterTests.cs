using System.Buffers.Binary;
using System.Text;
using ContrastiveLab.Runs;

namespace ContrastiveLab.Tests.Runs;

public sealed class TensorBoardWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cl-tb-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        // CRC-32C("123456789") = 0xE3069283 (the Castagnoli check value).
        Assert.Equal(0xE3069283u, TensorBoardWriter.Crc32C(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Event_files_are_framed_records_with_valid_checksums_holding_the_tags_and_values()
    {
        string path;
        using (var writer = new TensorBoardWriter(_dir))
        {
            writer.Scalars(7, [KeyValuePair.Create("eval/knn_top1", 0.625), KeyValuePair.Create("train/loss", double.NaN)]);
            path = writer.Path;
        }
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));
        byte[] file = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int pos = 0;
        while (pos < file.Length)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(pos));
            Assert.Equal(TensorBoardWriter.MaskedCrc(file.AsSpan(pos, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 8)));
            var data = file.AsSpan(pos + 12, (int)length);
            Assert.Equal(TensorBoardWriter.MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 12 + (int)length)));
            records.Add(data.ToArray());
            pos += 12 + (int)length + 4;
        }
        Assert.Equal(2, records.Count);
        Assert.Contains("brain.Event:2", Encoding.ASCII.GetString(records[0]));
        string second = Encoding.ASCII.GetString(records[1]);
        Assert.Contains("eval/knn_top1", second);
        Assert.DoesNotContain("train/loss", second); // NaN values are left out
        // step = 7 as field 2 varint (tag 0x10), value 0.625f as field 2 fixed32 (tag 0x15) of the Value message.
        Assert.Contains((byte)0x10, records[1]);
        int tag = Array.IndexOf(records[1], (byte)0x15);
        Assert.Equal(0.625f, BinaryPrimitives.ReadSingleLittleEndian(records[1].AsSpan(tag + 1)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
