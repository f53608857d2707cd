using System.Buffers.Binary;

namespace ContrastiveLab.Data;

/// <summary>
/// Reads byte counts that come from untrusted headers. The buffer grows only as data really arrives, so a
/// header that claims gigabytes in a small file fails with a clear message instead of allocating them.
/// </summary>
internal static class BoundedRead
{
    private const int Chunk = 1 << 20;

    /// <summary>Reads exactly <paramref name="count"/> bytes or throws naming <paramref name="path"/> and <paramref name="what"/>.</summary>
    public static byte[] Exactly(Stream stream, long count, string path, string what)
    {
        if (count < 0 || count > Array.MaxLength)
        {
            throw new DataFormatException(path, $"{what} claims {count} bytes, more than one array can hold");
        }
        if (stream.CanSeek)
        {
            long left = stream.Length - stream.Position;
            if (left < count)
            {
                throw new DataFormatException(path, $"truncated: {what} needs {count} bytes but only {left} remain");
            }
            var whole = new byte[count];
            stream.ReadExactly(whole);
            return whole;
        }
        var buffer = new byte[Math.Min(count, Chunk)];
        long filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(count, Math.Max(2L * buffer.Length, Chunk)));
            }
            int read = stream.Read(buffer, (int)filled, buffer.Length - (int)filled);
            if (read == 0)
            {
                throw new DataFormatException(path, $"truncated: {what} needs {count} bytes but the data ends after {filled}");
            }
            filled += read;
        }
        return buffer;
    }

    /// <summary>Reads the whole rest of a stream, refusing more than <paramref name="limit"/> bytes.</summary>
    public static byte[] ToEnd(Stream stream, long limit, string path)
    {
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (copy.Length + read > limit)
            {
                throw new DataFormatException(path, $"more than {limit} bytes of data");
            }
            copy.Write(chunk, 0, read);
        }
        return copy.ToArray();
    }

    /// <summary>Reads a big-endian 32-bit integer or throws when the stream ends first.</summary>
    public static int BigEndianInt32(Stream stream, string path, string what)
    {
        Span<byte> four = stackalloc byte[4];
        if (stream.ReadAtLeast(four, 4, throwOnEndOfStream: false) < 4)
        {
            throw new DataFormatException(path, $"truncated: the file ends inside the {what}");
        }
        return BinaryPrimitives.ReadInt32BigEndian(four);
    }

    /// <summary>Runs a read of <paramref name="path"/>, turning corrupt compressed data into a <see cref="DataFormatException"/>.</summary>
    public static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt compressed data ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException(path, "truncated: the data ends early");
        }
    }

    /// <summary>Wraps a stream in a gunzipping stream when it starts with the gzip magic bytes (files and embedded resources are seekable).</summary>
    public static Stream MaybeGunzip(Stream stream)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("the stream must be seekable to sniff for gzip", nameof(stream));
        }
        Span<byte> magic = stackalloc byte[2];
        long start = stream.Position;
        int n = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
            ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress)
            : stream;
    }

    /// <summary>Opens a file for reading, transparently gunzipping it when it starts with the gzip magic bytes.</summary>
    public static Stream OpenMaybeGzip(string path) => MaybeGunzip(File.OpenRead(path));
}
