using System.Buffers.Binary;
using System.Numerics;

namespace ContrastiveLab.Runs;

/// <summary>
/// Writes scalar summaries in TensorBoard's event-file format (TFRecord framing of <c>Event</c> protocol
/// buffers), so <c>tensorboard --logdir RUN</c> shows a run's curves. Each record is flushed as it is written.
/// </summary>
/// <remarks>
/// TorchSharp ships <c>torch.utils.tensorboard.SummaryWriter</c>; this writer is kept because a run needs three things
/// that one does not do (TorchSharp 0.107): a <c>session_log</c> START event (<see cref="SessionStart"/>), without which
/// a resumed run shows the steps a killed attempt logged after its last checkpoint twice; wall times in seconds since
/// the Unix epoch, as TensorBoard reads them (SummaryWriter records <c>DateTime.Now.Ticks</c>, 100-ns units since the
/// year 1); and 64-bit steps (SummaryWriter takes an <c>int</c>). docs/architecture.md says the same.
/// </remarks>
public sealed class TensorBoardWriter : IDisposable
{
    private static int s_writers;
    private readonly FileStream _stream;

    /// <summary>Starts a new event file in <paramref name="directory"/>.</summary>
    public TensorBoardWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Two writers of one process within one second (a run stopped and resumed in-process) get files of their own,
        // named so that TensorBoard, which reads a folder's event files in name order, reads them in creation order.
        int serial = Interlocked.Increment(ref s_writers);
        Path = System.IO.Path.Combine(directory, $"events.out.tfevents.{now}.{Environment.MachineName}.{Environment.ProcessId}.{serial:D6}");
        _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        var header = new ProtoWriter();
        header.Double(1, NowSeconds());
        header.String(3, "brain.Event:2");
        WriteRecord(header.ToArray());
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    /// <summary>Adds scalar values under their tags at <paramref name="step"/>.</summary>
    public void Scalars(long step, IEnumerable<KeyValuePair<string, double>> values)
    {
        var summary = new ProtoWriter();
        foreach (var (tag, value) in values)
        {
            if (!double.IsFinite(value))
            {
                continue;
            }
            var v = new ProtoWriter();
            v.String(1, tag);
            v.Float(2, (float)value);
            summary.Message(1, v.ToArray());
        }
        var ev = new ProtoWriter();
        ev.Double(1, NowSeconds());
        ev.Varint(2, (ulong)step);
        ev.Message(5, summary.ToArray());
        WriteRecord(ev.ToArray());
    }

    /// <summary>
    /// Marks the start of a training session at <paramref name="step"/> (an <c>Event</c> whose <c>session_log</c> has
    /// status START). TensorBoard then drops the events it has read with a step at or after this one, so the steps a
    /// killed process logged after its last checkpoint, and that the resumed process logs again, appear once.
    /// </summary>
    public void SessionStart(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var log = new ProtoWriter();
        log.Varint(1, 1); // SessionLog.status = START
        var ev = new ProtoWriter();
        ev.Double(1, NowSeconds());
        ev.Varint(2, (ulong)step);
        ev.Message(7, log.ToArray());
        WriteRecord(ev.ToArray());
    }

    private static double NowSeconds() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
        _stream.Flush();
    }

    /// <summary>CRC-32C of <paramref name="data"/>, masked as TFRecord does.</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>CRC-32C (Castagnoli) with the usual initial value and final inversion.</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Minimal protocol-buffer encoder for the few field kinds event files need.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _buffer = new();

        public void Varint(int field, ulong value)
        {
            Tag(field, 0);
            WriteVarint(value);
        }

        public void Double(int field, double value)
        {
            Tag(field, 1);
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(b, value);
            _buffer.Write(b);
        }

        public void Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _buffer.Write(b);
        }

        public void String(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, byte[] bytes)
        {
            Tag(field, 2);
            WriteVarint((ulong)bytes.Length);
            _buffer.Write(bytes);
        }

        public byte[] ToArray() => _buffer.ToArray();

        private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _buffer.WriteByte((byte)value);
        }
    }
}
