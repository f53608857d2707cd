namespace ContrastiveLab.IO;

/// <summary>
/// Writes files so that a reader never sees a half-written one: write a temporary file in the same folder,
/// flush it to disk, rename it over the target, then sync the folder so the rename itself survives a power cut. A
/// write that fails (a full disk included) deletes its temporary and leaves the previous version of the target as it
/// was.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>Writes <paramref name="write"/>'s output to a temporary file beside <paramref name="path"/>, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
    /// <exception cref="DiskFullException">The disk filled up; <paramref name="path"/> is unchanged and no temporary is left.</exception>
    public static void Write(string path, Action<Stream> write) => Publishing(path, temp =>
    {
        using var stream = FileWrites.Create(temp, FileMode.CreateNew, target: path);
        write(stream);
        FileWrites.FlushToDisk(stream);
    });

    /// <summary>Lets <paramref name="write"/> create a temporary file by name, flushes it, then renames it to <paramref name="path"/>.</summary>
    /// <exception cref="DiskFullException">The disk filled up; <paramref name="path"/> is unchanged and no temporary is left.</exception>
    public static void WriteVia(string path, Action<string> write) => Publishing(path, temp =>
    {
        write(temp);
        using var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite);
        fs.Flush(flushToDisk: true);
    });

    /// <summary>
    /// Runs <paramref name="writeFlushed"/> on a fresh temporary name beside <paramref name="path"/>, then publishes the
    /// temporary; on any failure deletes it, a full disk becoming a <see cref="DiskFullException"/> naming <paramref name="path"/>.
    /// </summary>
    private static void Publishing(string path, Action<string> writeFlushed)
    {
        string temp = TempPathFor(path);
        try
        {
            writeFlushed(temp);
            Publish(temp, path);
        }
        catch (IOException e) when (DiskFullException.IsDiskFull(e) && e is not DiskFullException)
        {
            TryDelete(temp);
            throw new DiskFullException(path, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Renames the flushed <paramref name="temp"/> over <paramref name="path"/> and syncs their folder.</summary>
    private static void Publish(string temp, string path)
    {
        File.Move(temp, path, overwrite: true);
        FileWrites.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>A unique temporary name beside <paramref name="path"/>, starting with a dot so listings skip it.</summary>
    public static string TempPathFor(string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// Deletes temporaries that writers killed mid-write left in <paramref name="directory"/> (not below it): hidden
    /// <c>.tmp</c> files last written more than <paramref name="olderThan"/> ago. Pass <see cref="TimeSpan.Zero"/> only
    /// while holding the folder's lock, when no other process can be writing there. Returns how many were deleted.
    /// </summary>
    public static int DeleteStaleTemporaries(string directory, TimeSpan olderThan)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }
        int deleted = 0;
        var cutoff = DateTime.UtcNow - olderThan;
        foreach (string file in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(file) <= cutoff && TryDelete(file))
            {
                deleted++;
            }
        }
        return deleted;
    }

    /// <summary>Deletes <paramref name="path"/> if it can; false when the file system refused (a missing file is no error).</summary>
    internal static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return false;
    }
}
