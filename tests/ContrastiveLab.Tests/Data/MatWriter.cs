using System.Buffers.Binary;
using System.Text;

namespace ContrastiveLab.Tests.Data;

/// <summary>Writes minimal plain (uncompressed) little-endian MAT v5 files with uint8 X and y, for tests.</summary>
internal static class MatWriter
{
    public static void WriteSvhn(string path, byte[] xColumnMajor, int height, int width, byte[] y)
    {
        using var file = File.Create(path);
        var header = new byte[128];
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by ContrastiveLab tests").CopyTo(header, 0);
        header[124] = 0x00;
        header[125] = 0x01;
        header[126] = (byte)'I';
        header[127] = (byte)'M';
        file.Write(header);
        WriteMatrix(file, "X", [height, width, 3, y.Length], xColumnMajor);
        WriteMatrix(file, "y", [y.Length, 1], y);
    }

    private static void WriteMatrix(Stream file, string name, int[] dims, byte[] data)
    {
        using var body = new MemoryStream();
        WriteElement(body, 6, [9, 0, 0, 0, 0, 0, 0, 0]); // miUINT32 array flags: class mxUINT8
        var dimBytes = new byte[4 * dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dimBytes.AsSpan(4 * i), dims[i]);
        }
        WriteElement(body, 5, dimBytes); // miINT32 dimensions
        WriteElement(body, 1, Encoding.ASCII.GetBytes(name)); // miINT8 name
        WriteElement(body, 2, data); // miUINT8 real part
        WriteElement(file, 14, body.ToArray()); // miMATRIX
    }

    private static void WriteElement(Stream stream, int type, byte[] data)
    {
        Span<byte> tag = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tag, type);
        BinaryPrimitives.WriteInt32LittleEndian(tag[4..], data.Length);
        stream.Write(tag);
        stream.Write(data);
        stream.Write(new byte[(8 - (data.Length % 8)) % 8]);
    }
}
