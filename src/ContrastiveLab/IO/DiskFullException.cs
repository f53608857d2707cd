namespace ContrastiveLab.IO;

/// <summary>
/// A write failed because the disk (or the user's quota) is full. <see cref="Path"/> names the file that was being
/// written; whatever was written before it, and the previous version of that file, are left as they were.
/// </summary>
public sealed class DiskFullException(string path, IOException inner)
    : IOException($"no space left on device while writing {path}", inner)
{
    private const int Enospc = 28;
    private const int Edquot = 122;

    /// <summary>The file whose write failed.</summary>
    public string Path { get; } = path;

    /// <summary>True when <paramref name="e"/> reports a full disk or exceeded quota (ENOSPC, EDQUOT, or Windows' disk-full codes).</summary>
    public static bool IsDiskFull(IOException e) => e is DiskFullException
        || e.HResult is Enospc or Edquot
        || (e.HResult & 0xFFFF) is 0x70 or 0x27; // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL
}
