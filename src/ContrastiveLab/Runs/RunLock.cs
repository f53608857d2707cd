namespace ContrastiveLab.Runs;

/// <summary>
/// An exclusive lock on a run folder, held for as long as a process trains into it. The lock is an open file
/// with no sharing, so it is released by the operating system when the process dies, even by SIGKILL.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    private readonly FileStream _stream;
    private readonly string _path;

    private RunLock(FileStream stream, string path) => (_stream, _path) = (stream, path);

    /// <summary>Takes the lock of <paramref name="runDirectory"/>.</summary>
    /// <exception cref="RunLockedException">Another process holds it.</exception>
    public static RunLock Acquire(string runDirectory) => Acquire(runDirectory, TimeSpan.Zero);

    /// <summary>
    /// Takes the lock of <paramref name="runDirectory"/>, trying again for up to <paramref name="wait"/> while another
    /// process holds it (a status probe holds it for an instant; a run in progress for hours, so keep the wait short).
    /// </summary>
    /// <exception cref="RunLockedException">Another process still holds it after <paramref name="wait"/>.</exception>
    public static RunLock Acquire(string runDirectory, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return TryOnce(runDirectory);
            }
            catch (RunLockedException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// True when a live process holds the lock of <paramref name="runDirectory"/>. Probing takes a shared lock for an
    /// instant, so a run starting at that very moment may have to wait for it (see <see cref="Acquire(string, TimeSpan)"/>).
    /// </summary>
    public static bool IsHeld(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            return false;
        }
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static RunLock TryOnce(string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, FileName);
        FileStream? stream = null;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            if (!IsStillAt(stream, path))
            {
                // The holder removed the file between our open and our lock (it was finishing): what we locked is no
                // longer the folder's lock file, so take the lock again on the path as it is now.
                stream.Dispose();
                return TryOnce(runDirectory);
            }
            stream.SetLength(0);
            var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return new RunLock(stream, path);
        }
        catch (IOException e) when (IO.DiskFullException.IsDiskFull(e))
        {
            // A full disk is not another process holding the folder.
            stream?.Dispose();
            throw new IO.DiskFullException(path, e);
        }
        catch (IOException)
        {
            stream?.Dispose();
            string holder = HolderPid(path) is { } pid ? $"process {pid}" : "another process";
            throw new RunLockedException($"run folder {runDirectory} is in use by {holder}; wait for it to finish or pick another --out");
        }
    }

    /// <summary>
    /// The process id the holder wrote into the lock file, or null. Read with the C library, not a FileStream: .NET takes
    /// a shared lock on every file it opens, which the holder's exclusive lock refuses. Only digits are believed.
    /// </summary>
    private static unsafe string? HolderPid(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        int fd = Runtime.NativeMethods.Open(path, Runtime.NativeMethods.ORdOnly);
        if (fd < 0)
        {
            return null;
        }
        try
        {
            Span<byte> buffer = stackalloc byte[24];
            nint count;
            fixed (byte* start = buffer)
            {
                count = Runtime.NativeMethods.Read(fd, start, (nuint)buffer.Length);
            }
            string text = count > 0 ? Encoding.ASCII.GetString(buffer[..(int)count]).Trim() : "";
            return text.Length is > 0 and < 20 && text.All(char.IsAsciiDigit) ? text : null;
        }
        finally
        {
            _ = Runtime.NativeMethods.Close(fd);
        }
    }

    /// <summary>
    /// True when the file <paramref name="stream"/> has open is still the one at <paramref name="path"/>. A path that
    /// exists is not enough: another process may have created a new lock file there after the holder removed the
    /// one we opened, and then both would think they hold the folder. On Linux the open file's entry in
    /// <c>/proc/self/fd</c> says whether it was removed; elsewhere only the path is checked.
    /// </summary>
    internal static bool IsStillAt(FileStream stream, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                string? target = new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
                if (target is not null && target.EndsWith(" (deleted)", StringComparison.Ordinal))
                {
                    return false;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // No /proc: fall back to the path.
            }
        }
        return File.Exists(path);
    }

    /// <summary>Releases the lock and removes its file, so a finished or stopped run leaves no <c>.lock</c> behind.</summary>
    public void Dispose()
    {
        // Removed while still held: a process that opened the old file meanwhile sees it gone once it has the lock, and
        // takes the lock again on the path (see TryOnce).
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lock file that cannot be removed is harmless: the next run takes the lock on it as before.
        }
        _stream.Dispose();
    }
}
