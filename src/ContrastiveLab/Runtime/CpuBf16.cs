using System.Runtime.Intrinsics.X86;

namespace ContrastiveLab.Runtime;

/// <summary>
/// Whether this CPU computes bfloat16 matrix products natively, as libtorch's oneDNN kernels need for bf16 to be faster
/// than fp32: AVX-512 BF16 (CPUID leaf 7 subleaf 1, EAX bit 5, with AVX-512 enabled by the OS) or AMX-BF16 (leaf 7
/// subleaf 0, EDX bit 22). Without either, libtorch still runs bf16 but emulates it, more slowly than fp32.
/// </summary>
public static class CpuBf16
{
    /// <summary>This machine's answer.</summary>
    public static bool Supported { get; } =
        Supports(X86Base.IsSupported ? (leaf, sub) => X86Base.CpuId(leaf, sub) : null, Avx512F.IsSupported);

    /// <summary>The answer for the given CPUID (null: not an x86 CPU) and whether the OS enables AVX-512.</summary>
    public static bool Supports(CpuCacheProbe.CpuId? cpuid, bool avx512Enabled)
    {
        if (cpuid is null || cpuid(0, 0).Eax < 7)
        {
            return false;
        }
        bool amx = (cpuid(7, 0).Edx & (1 << 22)) != 0;
        bool avx512 = avx512Enabled && cpuid(7, 0).Eax >= 1 && (cpuid(7, 1).Eax & (1 << 5)) != 0;
        return amx || avx512;
    }
}
