using System.Buffers.Binary;

namespace ContrastiveLab.IO;

/// <summary>
/// Writes NumPy <c>.npy</c> files the way <c>numpy.save</c> does: C order, little-endian, header padded with
/// spaces and a newline so the data starts at a multiple of 64 bytes.
/// </summary>
public static class NpyWriter
{
    private const int Alignment = 64;

    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="path">Destination; replaced if it exists.</param>
    /// <param name="array">What to write.</param>
    /// <param name="formatVersion">The format's major version: 1 (numpy's default), 2 or 3.</param>
    /// <exception cref="ArgumentException">The version is not 1, 2 or 3, or the header is too long for version 1.</exception>
    public static void Write(string path, NpyArray array, int formatVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(array);
        byte[] preamble = Preamble(array, formatVersion);
        AtomicFile.Write(path, stream => WriteBody(stream, preamble, array));
    }

    /// <summary>Writes <paramref name="array"/> as a .npy file to <paramref name="stream"/>.</summary>
    /// <inheritdoc cref="Write(string, NpyArray, int)"/>
    public static void Write(Stream stream, NpyArray array, int formatVersion = 1)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        WriteBody(stream, Preamble(array, formatVersion), array);
    }

    /// <summary>Writes a tensor (any shape; uint8, int16, int32, int64, float32 or float64) to <paramref name="path"/>, in one call.</summary>
    public static void Write(string path, torch.Tensor tensor) => Write(path, NpyArray.FromTensor(tensor));

    /// <summary>Magic, version, header length and the padded header dictionary.</summary>
    internal static byte[] Preamble(NpyArray array, int formatVersion)
    {
        if (formatVersion is < 1 or > 3)
        {
            throw new ArgumentException($"format version must be 1, 2 or 3, not {formatVersion}", nameof(formatVersion));
        }
        int fixedLength = formatVersion == 1 ? 10 : 12;
        string dict = $"{{'descr': '{array.Descr}', 'fortran_order': False, 'shape': {array.ShapeText}, }}";
        int unpadded = fixedLength + dict.Length + 1;
        int padding = (Alignment - (unpadded % Alignment)) % Alignment;
        string header = dict + new string(' ', padding) + "\n";
        if (formatVersion == 1 && header.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"shape {array.ShapeText} makes a header too long for format 1.0; use version 2", nameof(formatVersion));
        }

        byte[] bytes = new byte[fixedLength + header.Length];
        NpyReader.Magic.CopyTo(bytes);
        bytes[6] = (byte)formatVersion;
        bytes[7] = 0;
        if (formatVersion == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        }
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(fixedLength));
        return bytes;
    }

    private static void WriteBody(Stream stream, byte[] preamble, NpyArray array)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the .npy writer assumes a little-endian machine");
        }
        stream.Write(preamble);
        stream.Write(array.RawBytes);
    }
}
