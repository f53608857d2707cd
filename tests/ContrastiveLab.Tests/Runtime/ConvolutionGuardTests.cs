using ContrastiveLab.Models;
using ContrastiveLab.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ContrastiveLab.Tests.Runtime;

/// <summary>
/// The guard against oneDNN's strided 1×1 backward on CPUs that hide their cache sizes: the detection, from a fake
/// CPUID and sysfs; the decision and its override; and the guarded path computing what the convolution computes.
/// </summary>
public sealed class ConvolutionGuardTests : IDisposable
{
    private const int AmdExtendedCacheLeaf = unchecked((int)0x8000001D);
    private readonly string _sysfs = Path.Combine(Path.GetTempPath(), "cl-sysfs-" + Guid.NewGuid().ToString("N"));

    // "AuthenticAMD" as CPUID leaf 0 returns it: EBX "Auth", EDX "enti", ECX "cAMD".
    private static int Word(string four) => BitConverter.ToInt32(System.Text.Encoding.ASCII.GetBytes(four));

    private static CpuCacheProbe.CpuId Amd(int leaf4Eax, int extendedCacheEax) => (leaf, subleaf) => leaf switch
    {
        0 => (0x10, Word("Auth"), Word("cAMD"), Word("enti")),
        4 => (leaf4Eax, 0, 0, 0),
        unchecked((int)0x80000000) => (unchecked((int)0x80000021), 0, 0, 0),
        AmdExtendedCacheLeaf => (extendedCacheEax, 0, 0, 0),
        _ => (0, 0, 0, 0),
    };

    [Fact]
    public void A_cpu_whose_cache_leaves_are_empty_is_detected_as_hiding_its_caches()
    {
        var report = CpuCacheProbe.Probe(Amd(0, 0), _sysfs);
        Assert.True(report.IsX86);
        Assert.Equal("AuthenticAMD", report.Vendor);
        Assert.False(report.CpuidReportsCaches);
        Assert.False(report.SysfsReportsCaches);
        Assert.True(report.Hidden);
        Assert.Contains("CPUID cache leaf is empty", report.Describe());
    }

    [Theory]
    [InlineData(0x121, 0)] // leaf 4 lists a level-1 data cache (Intel's leaf)
    [InlineData(0, 0x121)] // 0x8000001D lists it (AMD's leaf)
    public void A_cpu_that_lists_a_cache_in_either_leaf_is_not_hidden(int leaf4, int extended)
    {
        var report = CpuCacheProbe.Probe(Amd(leaf4, extended), _sysfs);
        Assert.True(report.CpuidReportsCaches);
        Assert.False(report.Hidden);
    }

    [Fact]
    public void The_sysfs_cache_folder_is_seen_and_a_non_x86_cpu_is_never_hidden()
    {
        Directory.CreateDirectory(Path.Combine(_sysfs, "cpu0", "cache", "index0"));
        var report = CpuCacheProbe.Probe(null, _sysfs);
        Assert.True(report.SysfsReportsCaches);
        Assert.False(report.IsX86);
        Assert.False(report.Hidden);
    }

    [Fact]
    public void The_decision_follows_the_cpu_unless_the_override_says_otherwise()
    {
        var hidden = new CpuCacheReport(true, "AuthenticAMD", false, false);
        var shown = new CpuCacheReport(true, "GenuineIntel", true, true);
        Assert.True(ConvolutionGuard.Decide(hidden, null).Active);
        Assert.False(ConvolutionGuard.Decide(shown, null).Active);
        Assert.True(ConvolutionGuard.Decide(shown, "on").Active);
        var off = ConvolutionGuard.Decide(hidden, " OFF ");
        Assert.False(off.Active);
        Assert.Contains("SIGFPE", off.Reason);
        var bad = Assert.Throws<ArgumentException>(() => ConvolutionGuard.Decide(shown, "maybe"));
        Assert.Equal("CONTRASTIVE_CONV_GUARD=maybe: expected 'on' or 'off' (or unset, to decide from the CPU)", bad.Message);
    }

    [Fact]
    public void This_machines_decision_is_the_one_its_cpu_calls_for()
    {
        TorchRuntime.EnsureLoaded();
        var report = CpuCacheProbe.Probe();
        if (Environment.GetEnvironmentVariable(ConvolutionGuard.OverrideVariable) is null)
        {
            Assert.Equal(report.Hidden, ConvolutionGuard.Active);
        }
        Assert.StartsWith(ConvolutionGuard.Active ? "on (" : "off (", ConvolutionGuard.Describe());
    }

    [Theory]
    [InlineData(64, 128, 2, 8)]
    [InlineData(32, 48, 2, 7)] // an odd size: the convolution reads pixels 0, 2, 4, 6
    [InlineData(16, 24, 3, 9)]
    public void The_guarded_strided_1x1_convolution_matches_the_convolution_forward_and_backward(int cin, int cout, int stride, int size)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var conv = nn.Conv2d(cin, cout, 1, stride: stride, bias: false);
        var x = randn(3, cin, size, size).requires_grad_();
        var upstream = randn(conv.forward(x.detach()).shape);

        var reference = conv.forward(x);
        reference.mul(upstream).sum().backward();
        var (dx, dw) = (x.grad!.clone(), conv.weight!.grad!.clone());
        x.grad!.zero_();
        conv.weight!.grad!.zero_();

        var guarded = Pointwise.Forward(conv, stride, x, guard: true);
        guarded.mul(upstream).sum().backward();
        Assert.Equal(reference.shape, guarded.shape);
        Assert.True(guarded.allclose(reference, rtol: 1e-4, atol: 1e-5), "forward differs");
        Assert.True(x.grad!.allclose(dx, rtol: 1e-4, atol: 1e-5), "input gradient differs");
        Assert.True(conv.weight!.grad!.allclose(dw, rtol: 1e-4, atol: 1e-5), "weight gradient differs");
    }

    public void Dispose()
    {
        if (Directory.Exists(_sysfs))
        {
            Directory.Delete(_sysfs, recursive: true);
        }
    }
}
