using System.Buffers.Binary;
using System.IO.Compression;

namespace ContrastiveLab.Data;

/// <summary>
/// Reads numeric variables from a little-endian MATLAB 5.0 MAT-file: the subset SVHN's
/// <c>train_32x32.mat</c> and <c>test_32x32.mat</c> use. Top-level elements may be plain <c>miMATRIX</c> or
/// zlib-compressed (<c>miCOMPRESSED</c>); each matrix's real part is returned as raw little-endian bytes with
/// its element type and its dimensions (MATLAB order, column-major data).
/// </summary>
internal static class MatFileReader
{
    private const int MiInt8 = 1, MiUint8 = 2, MiInt16 = 3, MiUint16 = 4, MiInt32 = 5, MiUint32 = 6;
    private const int MiSingle = 7, MiDouble = 9, MiInt64 = 12, MiUint64 = 13, MiMatrix = 14, MiCompressed = 15;

    /// <summary>One numeric variable: name, dimensions (MATLAB order), data type code and raw column-major bytes.</summary>
    /// <param name="Name">Variable name.</param>
    /// <param name="Dimensions">Sizes in MATLAB order, first varying fastest.</param>
    /// <param name="DataType">MAT element type of <paramref name="Data"/>, e.g. 2 = miUINT8, 9 = miDOUBLE.</param>
    /// <param name="Data">Raw little-endian values, column-major.</param>
    public sealed record Variable(string Name, int[] Dimensions, int DataType, byte[] Data)
    {
        /// <summary>Element <paramref name="i"/> as a double, whatever its stored type.</summary>
        public double this[long i] => DataType switch
        {
            MiInt8 => (sbyte)Data[i],
            MiUint8 => Data[i],
            MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(Data.AsSpan((int)(i * 2))),
            MiUint16 => BinaryPrimitives.ReadUInt16LittleEndian(Data.AsSpan((int)(i * 2))),
            MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan((int)(i * 4))),
            MiUint32 => BinaryPrimitives.ReadUInt32LittleEndian(Data.AsSpan((int)(i * 4))),
            MiSingle => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan((int)(i * 4))),
            MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(Data.AsSpan((int)(i * 8))),
            MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan((int)(i * 8))),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(Data.AsSpan((int)(i * 8))),
        };

        /// <summary>Number of elements (product of the dimensions).</summary>
        public long Count => Dimensions.Aggregate(1L, (a, d) => a * d);

        /// <summary>Whether the values are stored as uint8.</summary>
        public bool IsUInt8 => DataType == MiUint8;
    }

    /// <summary>Reads the variables named in <paramref name="wanted"/> (others are skipped).</summary>
    public static Dictionary<string, Variable> Read(string path, IReadOnlySet<string> wanted)
    {
        using var file = File.OpenRead(path);
        var header = new byte[128];
        if (file.ReadAtLeast(header, 128, throwOnEndOfStream: false) < 128)
        {
            throw new DataFormatException(path, "truncated: shorter than the 128-byte MAT-file header");
        }
        if (!System.Text.Encoding.ASCII.GetString(header, 0, 10).StartsWith("MATLAB 5.0", StringComparison.Ordinal))
        {
            throw new DataFormatException(path, "not a MATLAB 5.0 MAT-file (the header text does not start with 'MATLAB 5.0')");
        }
        if (header[126] == 'M' && header[127] == 'I')
        {
            throw new DataFormatException(path, "big-endian MAT-files are not supported");
        }
        if (header[126] != 'I' || header[127] != 'M')
        {
            throw new DataFormatException(path, "bad MAT-file header: the endian indicator is neither 'IM' nor 'MI'");
        }
        var found = new Dictionary<string, Variable>(StringComparer.Ordinal);
        try
        {
            while (file.Position < file.Length)
            {
                var (type, size) = ReadTag(file, path, out _);
                long start = file.Position;
                if (size > file.Length - start)
                {
                    throw new DataFormatException(path, $"truncated: an element at byte {start - 8} claims {size} bytes but only {file.Length - start} remain");
                }
                if (type == MiCompressed)
                {
                    using var window = new WindowStream(file, size);
                    using var zlib = new ZLibStream(window, CompressionMode.Decompress);
                    var (innerType, innerSize) = ReadTag(zlib, path, out _);
                    if (innerType == MiMatrix)
                    {
                        Add(found, ReadMatrix(zlib, innerSize, path, wanted));
                    }
                    file.Position = start + size;
                }
                else
                {
                    if (type == MiMatrix)
                    {
                        Add(found, ReadMatrix(file, size, path, wanted));
                    }
                    file.Position = start + size + Padding(size);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt compressed element ({e.Message})");
        }
        return found;
    }

    private static void Add(Dictionary<string, Variable> found, Variable? variable)
    {
        if (variable is not null)
        {
            found[variable.Name] = variable;
        }
    }

    private static long Padding(long size) => (8 - (size % 8)) % 8;

    /// <summary>Reads an 8-byte tag; a "small element" (size in the upper half-word) returns its inline 4 data bytes.</summary>
    private static (int Type, long Size) ReadTag(Stream stream, string path, out byte[]? inline)
    {
        Span<byte> tag = stackalloc byte[8];
        if (stream.ReadAtLeast(tag, 8, throwOnEndOfStream: false) < 8)
        {
            throw new DataFormatException(path, "truncated: the file ends inside an element tag");
        }
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(tag);
        if ((first >> 16) != 0)
        {
            int small = (int)(first >> 16);
            if (small > 4)
            {
                throw new DataFormatException(path, $"bad small element: {small} bytes do not fit in 4");
            }
            inline = tag[4..(4 + small)].ToArray();
            return ((int)(first & 0xFFFF), small);
        }
        inline = null;
        return ((int)first, BinaryPrimitives.ReadUInt32LittleEndian(tag[4..]));
    }

    /// <summary>Reads one sub-element's data (inline or padded to 8 bytes).</summary>
    private static (int Type, byte[] Data) ReadSubElement(Stream stream, string path, string what, long limit)
    {
        var (type, size) = ReadTag(stream, path, out var inline);
        if (inline is not null)
        {
            return (type, inline);
        }
        if (size > limit)
        {
            throw new DataFormatException(path, $"{what} claims {size} bytes, more than its matrix holds ({limit})");
        }
        var data = BoundedRead.Exactly(stream, size, path, what);
        BoundedRead.Exactly(stream, Padding(size), path, $"padding after {what}");
        return (type, data);
    }

    private static Variable? ReadMatrix(Stream stream, long size, string path, IReadOnlySet<string> wanted)
    {
        var (flagsType, flags) = ReadSubElement(stream, path, "array flags", 8);
        if (flagsType != MiUint32 || flags.Length != 8)
        {
            throw new DataFormatException(path, "bad matrix: the array flags sub-element is missing");
        }
        var (dimsType, dimsBytes) = ReadSubElement(stream, path, "dimensions", 64);
        if (dimsType != MiInt32 || dimsBytes.Length < 8 || dimsBytes.Length % 4 != 0)
        {
            throw new DataFormatException(path, "bad matrix: the dimensions sub-element is missing or malformed");
        }
        var dims = new int[dimsBytes.Length / 4];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimsBytes.AsSpan(i * 4));
            if (dims[i] < 0)
            {
                throw new DataFormatException(path, $"bad matrix: negative dimension {dims[i]}");
            }
        }
        var (_, nameBytes) = ReadSubElement(stream, path, "array name", 256);
        string name = System.Text.Encoding.ASCII.GetString(nameBytes);
        if (!wanted.Contains(name))
        {
            return null;
        }
        var (dataType, data) = ReadSubElement(stream, path, $"the data of '{name}'", size);
        long count = dims.Aggregate(1L, (a, d) => a * d);
        int width = ElementSize(dataType, path, name);
        if (data.LongLength != count * width)
        {
            throw new DataFormatException(path, $"'{name}' has dimensions {string.Join('x', dims)} but {data.LongLength} bytes of data");
        }
        return new Variable(name, dims, dataType, data);
    }

    private static int ElementSize(int type, string path, string name) => type switch
    {
        MiInt8 or MiUint8 => 1,
        MiInt16 or MiUint16 => 2,
        MiInt32 or MiUint32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUint64 => 8,
        _ => throw new DataFormatException(path, $"'{name}' has unsupported data type {type}"),
    };

    /// <summary>A read-only view of the next <c>length</c> bytes of another stream (for one compressed element).</summary>
    private sealed class WindowStream(Stream inner, long length) : Stream
    {
        private long _left = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, (int)Math.Min(count, _left));
            _left -= n;
            return n;
        }
    }
}
