using System.Runtime.InteropServices;

namespace ContrastiveLab.Runtime;

/// <summary>The few glibc entry points the runtime set-up, durable file writes and the run lock need.</summary>
internal static partial class NativeMethods
{
    internal const int RtldLazy = 0x1;
    internal const int MTrimThreshold = -1;
    internal const int MMmapThreshold = -3;
    internal const int MMmapMax = -4;

    // libdl.so.2 exists on every glibc (a stub forwarding to libc since 2.34), so this works on old and new systems.
    [LibraryImport("libdl.so.2", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr DlOpen(string path, int flags);

    [LibraryImport("libdl.so.2", EntryPoint = "dlerror")]
    internal static partial IntPtr DlError();

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    internal static partial int MallOpt(int param, int value);

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    internal static partial int MallocTrim(nuint pad);

    internal const int ORdOnly = 0;

    [LibraryImport("libc.so.6", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    internal static partial int Close(int fd);
}
