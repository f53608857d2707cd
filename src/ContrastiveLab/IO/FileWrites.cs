namespace ContrastiveLab.IO;

/// <summary>
/// Opens the files that run folders are made of, so that every byte a run writes goes through one place. Tests use
/// that place to simulate a full disk (<see cref="FailAfter"/>) without mounting anything.
/// </summary>
internal static class FileWrites
{
    private static readonly Lock Gate = new();
    private static Func<string, bool>? _matches;
    private static long _bytesLeft;

    /// <summary>Creates <paramref name="path"/> for writing; <paramref name="target"/> is the file it will become, when it is a temporary.</summary>
    public static Stream Create(string path, FileMode mode = FileMode.Create, string? target = null)
    {
        var stream = new FileStream(path, mode, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        lock (Gate)
        {
            return _matches is { } m && m(target ?? path) ? new FullDiskStream(stream, path) : stream;
        }
    }

    /// <summary>Flushes a stream from <see cref="Create"/> through to the disk.</summary>
    public static void FlushToDisk(Stream stream)
    {
        switch (stream)
        {
            case FileStream file:
                file.Flush(flushToDisk: true);
                break;
            case FullDiskStream full:
                full.FlushToDisk();
                break;
            default:
                stream.Flush();
                break;
        }
    }

    /// <summary>
    /// Makes the renames and deletions done in <paramref name="directory"/> durable: fsync of the folder itself, so a
    /// power cut or kernel crash after a rename cannot bring back the previous name (the file's bytes are flushed
    /// before the rename). Linux with glibc only, as the malloc tuning; elsewhere, and where the folder cannot be
    /// opened, it does nothing. Returns whether the folder was synced.
    /// </summary>
    public static bool SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        int fd;
        try
        {
            fd = Runtime.NativeMethods.Open(directory, Runtime.NativeMethods.ORdOnly);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // no glibc (e.g. musl): as on other systems, the rename alone
        }
        if (fd < 0)
        {
            return false;
        }
        try
        {
            bool synced = Runtime.NativeMethods.Fsync(fd) == 0;
            if (synced)
            {
                DirectorySynced?.Invoke(Path.GetFullPath(directory));
            }
            return synced;
        }
        finally
        {
            Runtime.NativeMethods.Close(fd);
        }
    }

    /// <summary>Test seam: raised with the full path of each folder <see cref="SyncDirectory"/> synced.</summary>
    internal static event Action<string>? DirectorySynced;

    /// <summary>
    /// Test seam: the next writes to files whose path (the target path for atomic writes) satisfies
    /// <paramref name="matches"/> fail like a full disk once <paramref name="bytes"/> more bytes have been written to
    /// them. <see cref="Clear"/> gives the space back.
    /// </summary>
    internal static void FailAfter(long bytes, Func<string, bool> matches)
    {
        lock (Gate)
        {
            _bytesLeft = bytes;
            _matches = matches;
        }
    }

    /// <summary>Ends a simulated full disk.</summary>
    internal static void Clear()
    {
        lock (Gate)
        {
            _matches = null;
        }
    }

    /// <summary>Writes through to a file until the simulated space is used up, then throws as ENOSPC does.</summary>
    private sealed class FullDiskStream(FileStream inner, string path) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int allowed;
            lock (Gate)
            {
                allowed = (int)Math.Min(buffer.Length, Math.Max(0, _bytesLeft));
                _bytesLeft -= allowed;
            }
            inner.Write(buffer[..allowed]);
            if (allowed < buffer.Length)
            {
                throw new IOException($"No space left on device : '{path}'", 28);
            }
        }

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush() => inner.Flush();

        public void FlushToDisk() => inner.Flush(flushToDisk: true);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
