using System.Security.Cryptography;
using System.Text.Json;

using ContrastiveLab.IO;

namespace ContrastiveLab.Runs;

/// <summary>
/// Checkpoints of a run, one folder each under <c>checkpoints/</c>: the files a trainer writes plus a
/// <c>manifest.json</c> with each file's SHA-256. A checkpoint is written into a hidden temporary folder and
/// renamed into place, so a killed process leaves either the whole checkpoint or none; a corrupted or truncated
/// one fails its checksums and is skipped in favour of the previous one. The newest <see cref="Keep"/> and the
/// one marked best are kept.
/// </summary>
public sealed class CheckpointStore(string runDirectory, int keep = 2)
{
    public const string ManifestName = "manifest.json";

    public string Directory { get; } = Path.Combine(runDirectory, "checkpoints");

    public int Keep { get; } = Math.Max(1, keep);

    /// <summary>A written checkpoint: its folder and its position in training.</summary>
    public sealed record Entry(string Path, string Name, long Order);

    private sealed record Manifest(string Name, long Order, bool Best, Dictionary<string, string> Sha256);

    /// <summary>
    /// Writes a checkpoint named <paramref name="name"/> at position <paramref name="order"/> (larger is newer):
    /// <paramref name="write"/> fills the given folder with files.
    /// </summary>
    public Entry Save(string name, long order, bool best, Action<string> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string final = Path.Combine(Directory, name);
        string temp = Path.Combine(Directory, $".tmp-{name}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            var sums = new Dictionary<string, string>();
            foreach (string file in System.IO.Directory.GetFiles(temp).Order(StringComparer.Ordinal))
            {
                using (var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
                {
                    fs.Flush(flushToDisk: true);
                }
                sums[Path.GetFileName(file)] = Hash(file);
            }
            var manifest = new Manifest(name, order, best, sums);
            AtomicFile.WriteAllText(Path.Combine(temp, ManifestName), JsonSerializer.Serialize(manifest));
            if (System.IO.Directory.Exists(final))
            {
                string trash = Path.Combine(Directory, $".old-{name}-{Guid.NewGuid():N}");
                System.IO.Directory.Move(final, trash);
                System.IO.Directory.Move(temp, final);
                System.IO.Directory.Delete(trash, recursive: true);
            }
            else
            {
                System.IO.Directory.Move(temp, final);
            }
        }
        catch
        {
            TryDeleteDirectory(temp);
            throw;
        }
        Prune(best ? name : null);
        return new Entry(final, name, order);
    }

    /// <summary>Valid checkpoints, newest first; ones that fail their checksums are listed in <paramref name="rejected"/>.</summary>
    public IReadOnlyList<Entry> ListValid(List<string>? rejected = null)
    {
        var result = new List<Entry>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }
        foreach (string dir in System.IO.Directory.GetDirectories(Directory))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith('.'))
            {
                continue;
            }
            var manifest = ReadManifest(dir, out string? problem);
            if (manifest is null)
            {
                rejected?.Add($"{dir}: {problem}");
                continue;
            }
            result.Add(new Entry(dir, manifest.Name, manifest.Order));
        }
        return [.. result.OrderByDescending(e => e.Order)];
    }

    /// <summary>The newest checkpoint whose files match their checksums, or null.</summary>
    public Entry? LatestValid(List<string>? rejected = null) => ListValid(rejected).FirstOrDefault();

    /// <summary>The valid checkpoint whose manifest is marked best, or null when none is.</summary>
    public Entry? BestValid() => ListValid().FirstOrDefault(e => ReadManifest(e.Path, out _) is { Best: true });

    /// <summary>The SHA-256 (hex) the manifest of a valid checkpoint records for <paramref name="file"/>, or null.</summary>
    public static string? RecordedHash(Entry checkpoint, string file) =>
        ReadManifest(checkpoint.Path, out _) is { } m && m.Sha256.TryGetValue(file, out var sum) ? sum : null;

    /// <summary>Deletes temporary folders left by killed writers.</summary>
    public void CleanTemporaries()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }
        foreach (string dir in System.IO.Directory.GetDirectories(Directory, ".*"))
        {
            TryDeleteDirectory(dir);
        }
    }

    private static Manifest? ReadManifest(string dir, out string? problem)
    {
        problem = null;
        string path = Path.Combine(dir, ManifestName);
        if (!File.Exists(path))
        {
            problem = "no manifest";
            return null;
        }
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            problem = $"unreadable manifest ({e.Message})";
            return null;
        }
        if (manifest?.Sha256 is null)
        {
            problem = "empty manifest";
            return null;
        }
        foreach (var (file, sum) in manifest.Sha256)
        {
            string full = Path.Combine(dir, file);
            if (file.Contains('/') || file.Contains('\\') || !File.Exists(full))
            {
                problem = $"{file} is missing";
                return null;
            }
            if (!string.Equals(Hash(full), sum, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"{file} does not match its checksum (corrupted or truncated)";
                return null;
            }
        }
        return manifest;
    }

    private void Prune(string? newBest)
    {
        var all = ListValid();
        string? best = newBest;
        if (best is null)
        {
            foreach (var e in all)
            {
                var m = ReadManifest(e.Path, out _);
                if (m is { Best: true })
                {
                    best = e.Name;
                    break;
                }
            }
        }
        else
        {
            // Clear the best mark elsewhere so only the newest best survives pruning.
            foreach (var e in all.Where(e => e.Name != newBest))
            {
                var m = ReadManifest(e.Path, out _);
                if (m is { Best: true })
                {
                    AtomicFile.WriteAllText(Path.Combine(e.Path, ManifestName), JsonSerializer.Serialize(m with { Best = false }));
                }
            }
        }
        foreach (var e in all.Skip(Keep).Where(e => e.Name != best))
        {
            TryDeleteDirectory(e.Path);
        }
    }

    private static string Hash(string file)
    {
        using var fs = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(fs));
    }

    private static void TryDeleteDirectory(string dir)
    {
        try
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
