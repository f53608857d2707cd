using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ContrastiveLab.Runtime;

/// <summary>
/// Makes libtorch load and configures it. Call <see cref="EnsureLoaded"/> before the first <c>torch</c> call in
/// every entry point (CLI, test host, benchmarks).
/// </summary>
/// <remarks>
/// The libTorchSharp shipped with TorchSharp 0.107 asks for <c>GLIBCXX_3.4.32</c> (GCC 13), which the
/// libstdc++ of Debian 12 and Ubuntu 22.04 lacks, although the only symbol of that version is an unused
/// marker. On such systems the copy of the library in the application folder is rewritten once, with that
/// requirement marked weak (see <see cref="ElfVersionPatcher"/>); a rebuild copies the original back and the
/// next start patches it again. Where the library loads as shipped, nothing is touched.
/// </remarks>
public static partial class TorchRuntime
{
    private const string NativeName = "libLibTorchSharp.so";
    private static readonly string[] MarkerSymbols = ["_ZSt21ios_base_library_initv"];
    private static readonly Lock Gate = new();
    private static bool _loaded;

    /// <summary>What the start-up did, for logs: null when the library loaded as shipped.</summary>
    public static string? PatchNote { get; private set; }

    /// <summary>Loads libtorch, patching the local libTorchSharp copy first where this system needs it.</summary>
    /// <exception cref="TorchLoadException">libtorch cannot be loaded; the message says why and what to do.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }
            if (OperatingSystem.IsLinux())
            {
                PrepareLinuxLibrary();
            }
            try
            {
                _ = torch.get_num_threads();
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
            {
                var inner = e;
                while (inner.InnerException is not null)
                {
                    inner = inner.InnerException;
                }
                throw new TorchLoadException(
                    $"libtorch failed to load ({inner.GetType().Name}: {FirstLine(inner.Message)}). " +
                    "Check that the libtorch native package matches this platform (build with -p:TorchBackend=cpu or cuda).", e);
            }
            try
            {
                ConvolutionGuard.Configure(CpuCacheProbe.Probe(), Environment.GetEnvironmentVariable(ConvolutionGuard.OverrideVariable));
            }
            catch (ArgumentException e)
            {
                throw new TorchLoadException(e.Message, e);
            }
            _loaded = true;
        }
    }

    /// <summary>Sets libtorch's intra-op thread count; <paramref name="threads"/> ≤ 0 means all cores. Returns the count in force.</summary>
    public static int ConfigureThreads(int threads)
    {
        EnsureLoaded();
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        torch.set_num_threads(n);
        return torch.get_num_threads();
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        return nl < 0 ? s : s[..nl];
    }

    internal static string? FindNativeLibrary()
    {
        string baseDir = AppContext.BaseDirectory;
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string[] candidates =
        [
            Path.Combine(baseDir, "runtimes", rid, "native", NativeName),
            Path.Combine(baseDir, NativeName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    [GeneratedRegex(@"version `?'?(GLIBCXX_[0-9.]+)'? not found")]
    private static partial Regex MissingVersion();

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void PrepareLinuxLibrary()
    {
        string? path = FindNativeLibrary();
        if (path is null)
        {
            return; // Not beside the app: TorchSharp's own probing decides, and its failure is reported below.
        }
        var patched = new List<string>();
        for (int attempt = 0; attempt < 4; attempt++)
        {
            string? error = TryDlOpen(path);
            if (error is null)
            {
                PatchNote = patched.Count == 0 ? null
                    : $"marked {string.Join(", ", patched)} weak in {path} (system libstdc++ is older than GCC 13's)";
                return;
            }
            var match = MissingVersion().Match(error);
            if (!match.Success)
            {
                throw new TorchLoadException($"libtorch failed to load: {FirstLine(error)}");
            }
            string version = match.Groups[1].Value;
            if (patched.Contains(version))
            {
                break;
            }
            byte[] original = File.ReadAllBytes(path);
            byte[]? fixedBytes = ElfVersionPatcher.MarkWeak(original, version, MarkerSymbols);
            if (fixedBytes is null)
            {
                throw new TorchLoadException(
                    $"libtorch needs {version} from libstdc++, which this system lacks and which cannot be safely skipped; " +
                    "install a libstdc++ from GCC 13 or newer, or use a distribution release that ships one.");
            }
            WriteAtomically(path, fixedBytes);
            patched.Add(version);
        }
        throw new TorchLoadException($"libtorch still fails to load after marking {string.Join(", ", patched)} weak in {path}.");
    }

    private static string? TryDlOpen(string path)
    {
        // Bind dlerror before dlopen runs: binding an entry point may itself call dl* functions and clear the error.
        _ = NativeMethods.DlError();
        IntPtr handle = NativeMethods.DlOpen(path, NativeMethods.RtldLazy);
        if (handle != IntPtr.Zero)
        {
            return null; // Loaded; the handle stays open and TorchSharp reuses the same library.
        }
        IntPtr err = NativeMethods.DlError();
        return err == IntPtr.Zero ? "unknown dlopen error" : Marshal.PtrToStringUTF8(err) ?? "unknown dlopen error";
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string dir = Path.GetDirectoryName(path)!;
        string temp = Path.Combine(dir, $".{NativeName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new TorchLoadException(
                $"libtorch needs a one-time fix of {path} on this system (libstdc++ older than GCC 13), but the folder is not writable ({e.Message}); " +
                "run the program once as the folder's owner, or rebuild into a folder you own.", e);
        }
    }
}
