using System.Buffers.Binary;

namespace ContrastiveLab.IO;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) holding little-endian, C-order
/// <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i2</c>, <c>&lt;i4</c>, <c>&lt;i8</c> or <c>|u1</c> arrays.
/// Everything the header claims is checked against the file's real length before any data buffer is allocated.
/// </summary>
public static class NpyReader
{
    /// <summary>The six bytes every .npy file starts with.</summary>
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The descriptors accepted, and how <c>&lt;</c> or <c>|</c> variants map to element types.</summary>
    private static readonly Dictionary<string, NpyDType> Descriptors = new(StringComparer.Ordinal)
    {
        ["|u1"] = NpyDType.UInt8,
        ["<u1"] = NpyDType.UInt8,
        ["<i2"] = NpyDType.Int16,
        ["<i4"] = NpyDType.Int32,
        ["<i8"] = NpyDType.Int64,
        ["<f4"] = NpyDType.Float32,
        ["<f8"] = NpyDType.Float64,
    };

    /// <summary>Reads a whole .npy file.</summary>
    /// <exception cref="InvalidDataException">The file is not a .npy file this reader supports, or is damaged; the message is one line, <c>FILE: problem</c>.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads a .npy file and returns it as a CPU tensor of the same shape and element type, in one call.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string)"/>.</exception>
    public static torch.Tensor ReadTensor(string path, torch.Device? device = null) => Read(path).ToTensor(device);

    /// <summary>Reads a .npy array from the current position of <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">Positioned at the magic string; read to its end (non-seekable streams are buffered first).</param>
    /// <param name="name">The name used in error messages, usually the file path.</param>
    /// <exception cref="InvalidDataException">The data is not a .npy array this reader supports, or is damaged.</exception>
    public static NpyArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the .npy reader assumes a little-endian machine");
        }
        if (!stream.CanSeek)
        {
            var buffered = new MemoryStream();
            stream.CopyTo(buffered);
            buffered.Position = 0;
            stream = buffered;
        }
        long available = stream.Length - stream.Position;

        Span<byte> preamble = stackalloc byte[12];
        int got = ReadFully(stream, preamble[..(int)Math.Min(available, 8)]);
        int compared = Math.Min(got, Magic.Length);
        if (got == 0)
        {
            throw Fail(name, "not a .npy file (it is empty)");
        }
        if (!preamble[..compared].SequenceEqual(Magic[..compared]))
        {
            throw Fail(name, "not a .npy file (it does not start with the \\x93NUMPY magic string)");
        }
        if (available < 10)
        {
            throw Fail(name, $"truncated: only {available} bytes, shorter than a .npy preamble");
        }
        byte major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw Fail(name, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        if (available < 8 + lengthBytes)
        {
            throw Fail(name, $"truncated: the file ends inside the header length field ({available} bytes)");
        }
        ReadFully(stream, preamble.Slice(8, lengthBytes));
        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        long dataOffset = 8 + lengthBytes + headerLength;
        if (dataOffset > available)
        {
            throw Fail(name, $"truncated: the header claims {headerLength} bytes but only {available - 8 - lengthBytes} follow the preamble");
        }

        byte[] headerBytes = new byte[headerLength];
        ReadFully(stream, headerBytes);
        string headerText = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var header = NpyHeader.TryParse(headerText, out string problem) ?? throw Fail(name, problem);
        var dtype = ParseDescr(name, header.Descr);
        if (header.FortranOrder)
        {
            throw Fail(name, "Fortran-order (column-major) arrays are not supported; save np.ascontiguousarray(a) instead");
        }

        string shapeText = NpyArray.FormatShape(header.Shape);
        long count = NpyArray.ElementCount(header.Shape) ?? throw Fail(name, $"shape {shapeText} is too large");
        int itemSize = NpyDTypeInfo.ItemSize(dtype);
        long dataBytes = count > long.MaxValue / itemSize ? long.MaxValue : count * itemSize;
        long dataAvailable = available - dataOffset;
        if (dataBytes > dataAvailable)
        {
            throw Fail(name, $"truncated: shape {shapeText} of {header.Descr} needs {dataBytes} bytes of data but the file has {dataAvailable}");
        }
        if (dataBytes < dataAvailable)
        {
            throw Fail(name, $"{dataAvailable - dataBytes} unexpected bytes after the data of shape {shapeText} of {header.Descr}");
        }
        if (count > Array.MaxLength)
        {
            throw Fail(name, $"shape {shapeText} has {count} elements, more than one .NET array can hold");
        }

        var data = NpyDTypeInfo.Allocate(dtype, (int)count);
        if (ReadFully(stream, NpyDTypeInfo.Bytes(data)) < dataBytes)
        {
            throw Fail(name, "truncated: the data ended early while reading");
        }
        return new NpyArray(dtype, header.Shape, data);
    }

    private static NpyDType ParseDescr(string name, string descr)
    {
        if (Descriptors.TryGetValue(descr, out var dtype))
        {
            return dtype;
        }
        if (descr.Length > 1 && descr[0] == '>' && Descriptors.ContainsKey("<" + descr[1..]))
        {
            throw Fail(name, $"big-endian dtype '{descr}' is not supported; save a.astype('<{descr[1..]}') instead");
        }
        throw Fail(name, $"unsupported dtype '{descr}' (supported: <f4, <f8, <i2, <i4, <i8, |u1)");
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    private static InvalidDataException Fail(string name, string problem) => new($"{name}: {problem}");
}
