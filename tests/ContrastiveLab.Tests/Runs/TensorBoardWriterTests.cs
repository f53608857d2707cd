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
        var records = Records(path);
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

    [Fact]
    public void A_session_start_is_an_event_at_its_step_whose_session_log_status_is_start()
    {
        string path;
        using (var writer = new TensorBoardWriter(_dir))
        {
            writer.SessionStart(300); // step 300 = varint AC 02
            path = writer.Path;
        }
        Assert.Equal([(300L, true)], SessionStarts(path));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBoardWriter(_dir).SessionStart(-1));
    }

    /// <summary>The records of an event file, each framing and checksum checked.</summary>
    internal static List<byte[]> Records(string path)
    {
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
        return records;
    }

    /// <summary>
    /// (step, status is START) of every event carrying a session_log (field 7), decoded field by field: wall_time
    /// (field 1, fixed64), step (field 2, varint), then the nested SessionLog whose status is field 1.
    /// </summary>
    internal static List<(long Step, bool Start)> SessionStarts(string path)
    {
        var found = new List<(long, bool)>();
        foreach (byte[] record in Records(path))
        {
            int pos = 0;
            long step = 0;
            while (pos < record.Length)
            {
                ulong key = Varint(record, ref pos);
                switch ((key >> 3, key & 7))
                {
                    case (_, 0):
                        ulong value = Varint(record, ref pos);
                        if (key >> 3 == 2)
                        {
                            step = (long)value;
                        }
                        break;
                    case (_, 1):
                        pos += 8;
                        break;
                    case (_, 5):
                        pos += 4;
                        break;
                    case (var field, 2):
                        int length = (int)Varint(record, ref pos);
                        if (field == 7)
                        {
                            int inner = pos;
                            bool start = record.Length > pos && Varint(record, ref inner) == 0x08 && Varint(record, ref inner) == 1;
                            found.Add((step, start));
                        }
                        pos += length;
                        break;
                    default:
                        throw new InvalidDataException($"unexpected wire type in {path}");
                }
            }
        }
        return found;
    }

    private static ulong Varint(byte[] data, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
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
