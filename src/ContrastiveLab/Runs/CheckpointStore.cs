using System.Security.Cryptography;

using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;

namespace ContrastiveLab.Runs;

/// <summary>
/// Checkpoints of a run, one folder each under <c>checkpoints/</c>: the files a trainer writes plus a
/// <c>manifest.json</c> with each file's SHA-256. A checkpoint is written into a hidden temporary folder and
/// renamed into place, so a killed process leaves either the whole checkpoint or none; a corrupted or truncated
/// one fails its checksums (the manifest carries one of its own) and is skipped in favour of the previous one. The newest <see cref="Keep"/> and the
/// one marked best are kept.
/// </summary>
public sealed class CheckpointStore(string runDirectory, int keep = 2)
{
    public const string ManifestName = "manifest.json";

    public string Directory { get; } = Path.Combine(runDirectory, RunFiles.CheckpointsDirectory);

    public int Keep { get; } = Math.Max(1, keep);

    /// <summary>A written checkpoint: its folder and its position in training.</summary>
    public sealed record Entry(string Path, string Name, long Order);

    /// <summary>What a checkpoint holds; <c>Check</c> is the SHA-256 of the manifest itself (absent in manifests written before it existed).</summary>
    private sealed record Manifest(string Name, long Order, bool Best, Dictionary<string, string> Sha256, string? Check = null);

    /// <summary>Unknown keys are errors, so a damaged key name cannot hide the manifest's own checksum.</summary>
    private static readonly JsonSerializerOptions ManifestJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Manifests are a few hundred bytes; a larger one is damaged and is not read into memory.</summary>
    private const long MaxManifestBytes = 1 << 20;

    /// <summary>
    /// Writes a checkpoint named <paramref name="name"/> at position <paramref name="order"/> (larger is newer):
    /// <paramref name="write"/> fills the given folder with files.
    /// </summary>
    /// <exception cref="DiskFullException">The disk filled up; no part of this checkpoint is left and the others are untouched.</exception>
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
            WriteManifest(temp, new Manifest(name, order, best, sums));
            if (System.IO.Directory.Exists(final))
            {
                string trash = Path.Combine(Directory, $".old-{name}-{Guid.NewGuid():N}");
                System.IO.Directory.Move(final, trash);
                System.IO.Directory.Move(temp, final);
                FileWrites.SyncDirectory(Directory);
                System.IO.Directory.Delete(trash, recursive: true);
            }
            else
            {
                System.IO.Directory.Move(temp, final);
                FileWrites.SyncDirectory(Directory);
            }
        }
        catch (IOException e) when (DiskFullException.IsDiskFull(e))
        {
            TryDeleteDirectory(temp);
            throw new DiskFullException(final, e);
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
        if (new FileInfo(path).Length > MaxManifestBytes)
        {
            problem = $"{ManifestName} is larger than {MaxManifestBytes} bytes (damaged)";
            return null;
        }
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), ManifestJson);
        }
        catch (JsonException e)
        {
            problem = $"unreadable {ManifestName} ({e.Message.Split('\n')[0]})";
            return null;
        }
        if (manifest?.Sha256 is null || manifest.Name is null)
        {
            problem = $"incomplete {ManifestName}";
            return null;
        }
        if (manifest.Check is not null && !string.Equals(manifest.Check, SelfCheck(manifest), StringComparison.Ordinal))
        {
            problem = $"{ManifestName} does not match its own checksum (corrupted)";
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
                    WriteManifest(e.Path, m with { Best = false });
                }
            }
        }
        foreach (var e in all.Skip(Keep).Where(e => e.Name != best))
        {
            // Hide it first (one atomic rename), so a process killed while deleting leaves a hidden folder that
            // CleanTemporaries removes, never a half-deleted checkpoint among the real ones.
            string trash = Path.Combine(Directory, $".old-{e.Name}-{Guid.NewGuid():N}");
            try
            {
                System.IO.Directory.Move(e.Path, trash);
            }
            catch (IOException)
            {
                continue;
            }
            TryDeleteDirectory(trash);
        }
    }

    private static void WriteManifest(string dir, Manifest manifest) =>
        AtomicFile.WriteAllText(Path.Combine(dir, ManifestName), JsonSerializer.Serialize(manifest with { Check = SelfCheck(manifest) }, ManifestJson));

    /// <summary>SHA-256 (hex) of the manifest as serialised without its check.</summary>
    private static string SelfCheck(Manifest manifest) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(manifest with { Check = null }, ManifestJson)));

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
