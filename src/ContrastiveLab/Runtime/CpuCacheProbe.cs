using System.Runtime.Intrinsics.X86;

namespace ContrastiveLab.Runtime;

/// <summary>What this CPU says about its caches, as libtorch's oneDNN reads it (CPUID) and as Linux shows it (sysfs).</summary>
/// <param name="IsX86">An x86-64 CPU: the only kind whose oneDNN kernels size their blocks from CPUID's cache leaves.</param>
/// <param name="Vendor">CPUID's vendor string ("GenuineIntel", "AuthenticAMD", …), or "" off x86.</param>
/// <param name="CpuidReportsCaches">CPUID's deterministic cache leaf (4 on Intel, 0x8000001D on AMD) describes at least one cache.</param>
/// <param name="SysfsReportsCaches"><c>/sys/devices/system/cpu/cpu0/cache/index0</c> exists.</param>
public sealed record CpuCacheReport(bool IsX86, string Vendor, bool CpuidReportsCaches, bool SysfsReportsCaches)
{
    /// <summary>True where oneDNN would size its convolution blocks from cache sizes of zero (the SIGFPE of ResNet-50's strided 1×1 backward).</summary>
    public bool Hidden => IsX86 && !CpuidReportsCaches;

    /// <summary>One line for logs: what was found and where.</summary>
    public string Describe() => !IsX86
        ? "not an x86 CPU"
        : $"{(string.IsNullOrEmpty(Vendor) ? "x86" : Vendor)}: CPUID cache leaf {(CpuidReportsCaches ? "lists caches" : "is empty")}, sysfs cache folder {(SysfsReportsCaches ? "present" : "absent")}";
}

/// <summary>Reads <see cref="CpuCacheReport"/> for this machine, or for a given CPUID and sysfs (tests).</summary>
public static class CpuCacheProbe
{
    /// <summary>A CPUID query: (leaf, subleaf) → (eax, ebx, ecx, edx).</summary>
    public delegate (int Eax, int Ebx, int Ecx, int Edx) CpuId(int leaf, int subleaf);

    /// <summary>This machine's report.</summary>
    public static CpuCacheReport Probe() =>
        Probe(X86Base.IsSupported ? (leaf, sub) => X86Base.CpuId(leaf, sub) : null, "/sys/devices/system/cpu");

    /// <summary>The report for the given CPUID (null: not x86) and sysfs CPU folder.</summary>
    public static CpuCacheReport Probe(CpuId? cpuid, string sysfsCpuFolder)
    {
        bool sysfs = Directory.Exists(Path.Combine(sysfsCpuFolder, "cpu0", "cache", "index0"));
        if (cpuid is null)
        {
            return new CpuCacheReport(false, "", false, sysfs);
        }
        var (maxLeaf, b, c, d) = cpuid(0, 0);
        string vendor = string.Concat(Ascii(b), Ascii(d), Ascii(c));
        int maxExtended = cpuid(unchecked((int)0x80000000), 0).Eax;
        bool reports = false;
        // Cache type (bits 0-4 of EAX) is zero when a leaf lists no cache; either leaf may be the one filled in.
        if (maxLeaf >= 4)
        {
            reports |= (cpuid(4, 0).Eax & 0x1F) != 0;
        }
        if (unchecked((uint)maxExtended) >= 0x8000001D)
        {
            reports |= (cpuid(unchecked((int)0x8000001D), 0).Eax & 0x1F) != 0;
        }
        return new CpuCacheReport(true, vendor, reports, sysfs);
    }

    private static string Ascii(int register) =>
        new([.. BitConverter.GetBytes(register).Where(x => x is >= 0x20 and < 0x7F).Select(x => (char)x)]);
}
