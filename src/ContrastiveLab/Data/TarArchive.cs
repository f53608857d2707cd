using System.Formats.Tar;

namespace ContrastiveLab.Data;

/// <summary>
/// Reads the regular files of a <c>.tar</c> or <c>.tar.gz</c> archive into memory, refusing entry names that
/// could escape a folder (absolute paths, <c>..</c> components).
/// </summary>
public static class TarArchive
{
    /// <summary>Largest single entry accepted (the CIFAR-100 train file is 150 MB).</summary>
    public const long MaxEntryBytes = 1L << 30;

    /// <summary>
    /// Returns the archive's regular files whose names pass <paramref name="wanted"/>, keyed by the entry's
    /// normalised relative path (forward slashes).
    /// </summary>
    public static Dictionary<string, byte[]> ReadFiles(string path, Func<string, bool> wanted)
    {
        try
        {
            using var stream = BoundedRead.OpenMaybeGzip(path);
            using var reader = new TarReader(stream);
            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            while (reader.GetNextEntry() is { } entry)
            {
                string name = CheckName(path, entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !wanted(name))
                {
                    continue;
                }
                if (entry.DataStream is null)
                {
                    files[name] = [];
                    continue;
                }
                files[name] = BoundedRead.ToEnd(entry.DataStream, MaxEntryBytes, $"{path}:{name}");
            }
            return files;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new DataFormatException(path, $"not a readable tar archive ({e.Message})");
        }
    }

    /// <summary>Normalises an entry name and refuses one that is absolute or climbs with <c>..</c>.</summary>
    public static string CheckName(string archive, string name)
    {
        string normal = name.Replace('\\', '/');
        if (normal.StartsWith('/') || (normal.Length > 1 && normal[1] == ':'))
        {
            throw new DataFormatException(archive, $"entry '{name}' has an absolute path; refusing the archive");
        }
        var parts = normal.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains(".."))
        {
            throw new DataFormatException(archive, $"entry '{name}' contains '..'; refusing the archive");
        }
        return string.Join('/', parts.Where(p => p != "."));
    }
}
