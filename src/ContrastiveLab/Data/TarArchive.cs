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
    /// <exception cref="DataFormatException">The archive is damaged (System.Formats.Tar's format, overflow and argument
    /// errors on corrupt header fields included), an entry is too large, or a name could escape a folder.</exception>
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
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or OverflowException or ArgumentException)
        {
            throw new DataFormatException(path, $"not a readable tar archive ({e.Message})");
        }
    }

    /// <summary>Normalises an entry name and refuses one that is absolute, climbs with <c>..</c>, or names the folder itself.</summary>
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
        string relative = string.Join('/', parts.Where(p => p != "."));
        if (relative.Length == 0)
        {
            throw new DataFormatException(archive, $"entry '{name}' names no file inside the archive's folder; refusing the archive");
        }
        return relative;
    }
}
