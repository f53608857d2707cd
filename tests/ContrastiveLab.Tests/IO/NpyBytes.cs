using System.Buffers.Binary;
using System.Text;

namespace ContrastiveLab.Tests.IO;

/// <summary>Builds .npy files byte by byte from the format specification, independently of NpyWriter.</summary>
internal static class NpyBytes
{
    /// <summary>Magic, version, little-endian header length (2 bytes for 1.0, 4 otherwise), header text, data.</summary>
    public static byte[] Build(string header, byte[] data, byte major = 1, long? claimedHeaderLength = null)
    {
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add(major);
        bytes.Add(0);
        byte[] text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header);
        long length = claimedHeaderLength ?? text.Length;
        byte[] lengthField = new byte[major == 1 ? 2 : 4];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(lengthField, (ushort)length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(lengthField, (uint)length);
        }
        bytes.AddRange(lengthField);
        bytes.AddRange(text);
        bytes.AddRange(data);
        return [.. bytes];
    }

    /// <summary>Little-endian bytes of float64 values.</summary>
    public static byte[] Float64(params double[] values)
    {
        byte[] bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }
        return bytes;
    }
}
