using System.Security.Cryptography;

namespace ContrastiveLab.IO;

/// <summary>
/// A cache kept beside the data it describes (a folder's image index, a shard folder's image shapes): stamped with what
/// it was built from, read back only when whole and of that stamp, written atomically, and never required, so a damaged,
/// foreign or unwritable cache only costs building it again.
/// </summary>
internal static class CacheFile
{
    /// <summary>A hash of <paramref name="header"/> (a version) and <paramref name="lines"/>, one per line.</summary>
    public static string Stamp(string header, IEnumerable<string> lines)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>A stamp line for one file: <paramref name="name"/>, then the file's size and modification time.</summary>
    public static string FileLine(string name, string path)
    {
        var info = new FileInfo(path);
        return $"{name}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}";
    }

    /// <summary>The cache at <paramref name="path"/>, or null when it is missing or cannot be read as a <typeparamref name="T"/>.</summary>
    public static T? TryRead<T>(string path, JsonSerializerOptions json) where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), json) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Writes the cache atomically; a folder that cannot take it (read-only data) is left as it is.</summary>
    public static void TryWrite(string path, string text)
    {
        try
        {
            AtomicFile.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Built again next time; nothing is lost.
        }
    }
}
