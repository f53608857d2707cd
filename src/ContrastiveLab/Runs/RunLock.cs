namespace ContrastiveLab.Runs;

/// <summary>
/// An exclusive lock on a run folder, held for as long as a process trains into it. The lock is an open file
/// with no sharing, so it is released by the operating system when the process dies, even by SIGKILL.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

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
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return new RunLock(stream);
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
            string holder = "another process";
            try
            {
                using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var text = new StreamReader(reader);
                string pid = text.ReadToEnd().Trim();
                if (pid.Length > 0)
                {
                    holder = $"process {pid}";
                }
            }
            catch (IOException)
            {
            }
            throw new RunLockedException($"run folder {runDirectory} is in use by {holder}; wait for it to finish or pick another --out");
        }
    }

    public void Dispose() => _stream.Dispose();
}
