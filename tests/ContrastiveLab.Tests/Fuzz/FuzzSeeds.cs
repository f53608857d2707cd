using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.Fuzz;

/// <summary>Valid seed files for the fuzz targets, and the byte counts their allocation bounds are measured against.</summary>
internal static class FuzzSeeds
{
    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return buffer.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var result = new MemoryStream();
        gzip.CopyTo(result);
        return result.ToArray();
    }

    /// <summary>
    /// The bytes a gzip (or plain) file really yields: decompressed until the data ends or turns corrupt, at least the
    /// file itself. A decompressing reader's allocation is bounded by this, never by a size its header declares.
    /// </summary>
    public static long GunzippedLength(byte[] data)
    {
        if (data.Length < 2 || data[0] != 0x1f || data[1] != 0x8b)
        {
            return data.Length;
        }
        return Math.Max(data.Length, Inflated(new GZipStream(new MemoryStream(data), CompressionMode.Decompress)));
    }

    /// <summary>
    /// For a MAT v5 file: its length plus what each top-level compressed element really inflates to (until the data
    /// ends or turns corrupt).
    /// </summary>
    public static long MatJustifiedLength(byte[] data)
    {
        long total = data.Length;
        long at = 128;
        while (at + 8 <= data.Length)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at + 4));
            if ((type >> 16) != 0)
            {
                break;
            }
            long start = at + 8, length = Math.Min(size, data.Length - start);
            if (type == 15)
            {
                total += Inflated(new ZLibStream(new MemoryStream(data, (int)start, (int)length), CompressionMode.Decompress));
            }
            at = start + size + (type == 15 ? 0 : (8 - (size % 8)) % 8);
        }
        return total;
    }

    private static long Inflated(Stream stream)
    {
        using (stream)
        {
            var chunk = new byte[1 << 16];
            long total = 0;
            try
            {
                int read;
                while ((read = stream.Read(chunk)) > 0)
                {
                    total += read;
                }
            }
            catch (InvalidDataException)
            {
            }
            return total;
        }
    }

    /// <summary>Small valid .npy files of every supported dtype and format version, including empty and 3-D arrays.</summary>
    public static IReadOnlyList<byte[]> Npy()
    {
        var arrays = new (NpyArray Array, int Version)[]
        {
            (NpyArray.Create(Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray(), 3, 4), 1),
            (NpyArray.Create(new[] { 1.0, -2.5, double.Epsilon, 1e300, 0 }, 5), 1),
            (NpyArray.Create(new long[] { 1, -1, long.MaxValue, 0 }, 2, 2), 2),
            (NpyArray.Create(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), 2, 3, 4), 1),
            (NpyArray.Create(Array.Empty<short>(), 0), 1),
            (NpyArray.Create(new[] { 7 }, 1, 1), 3),
            (NpyArray.Create(new[] { 1f, 2f }, 1, 2), 3),
        };
        return [.. arrays.Select(a =>
        {
            using var stream = new MemoryStream();
            NpyWriter.Write(stream, a.Array, a.Version);
            return stream.ToArray();
        })];
    }

    /// <summary>The entries of a fixture archive, by name.</summary>
    public static Dictionary<string, byte[]> TarEntries(string archive)
    {
        using var stream = new GZipStream(File.OpenRead(Data.Fixtures.File(archive)), CompressionMode.Decompress);
        using var reader = new TarReader(stream);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                entries[entry.Name] = copy.ToArray();
            }
        }
        return entries;
    }

    /// <summary>A fixture archive decompressed (the tar stream itself).</summary>
    public static byte[] FixtureTar(string archive) => Gunzip(File.ReadAllBytes(Data.Fixtures.File(archive)));

    /// <summary>Total bytes of the files under a folder.</summary>
    public static long FolderBytes(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
