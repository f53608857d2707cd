namespace ContrastiveLab.Runtime;

/// <summary>
/// Keeps CPU training off the one oneDNN path known to crash on CPUs that hide their cache sizes: the backward
/// pass of a strided 1×1 convolution, whose blocking heuristic divides by the cache size and dies with SIGFPE
/// when CPUID reports none (ResNet-50's strided shortcuts, 512→1024 and 1024→2048). While active, the models
/// compute their strided 1×1 convolutions on CPU as matrix products (the same arithmetic, through the GEMM
/// library); every other convolution stays on oneDNN. Off by default; <see cref="TorchRuntime.EnsureLoaded"/> switches it on where
/// <see cref="CpuCacheReport.Hidden"/>. <c>CONTRASTIVE_CONV_GUARD=on|off</c> overrides the detection.
/// </summary>
public static class ConvolutionGuard
{
    /// <summary>The environment variable that overrides the detection: <c>on</c> or <c>off</c>.</summary>
    public const string OverrideVariable = "CONTRASTIVE_CONV_GUARD";

    private static volatile bool _active;
    private static volatile bool _configured;

    /// <summary>
    /// Whether strided 1×1 convolutions on CPU go through matrix products instead of oneDNN. Decided from this CPU
    /// and the override variable on first use when <see cref="TorchRuntime.EnsureLoaded"/> has not done it.
    /// </summary>
    public static bool Active
    {
        get
        {
            if (!_configured)
            {
                Configure(CpuCacheProbe.Probe(), Environment.GetEnvironmentVariable(OverrideVariable));
            }
            return _active;
        }
    }

    /// <summary>Why the guard is on or off, for logs and <c>contrastive bench</c>.</summary>
    public static string Reason { get; private set; } = "not configured (libtorch not loaded yet)";

    /// <summary>One line: "on (…)" or "off (…)".</summary>
    public static string Describe() => Active ? $"on ({Reason})" : $"off ({Reason})";

    /// <summary>Decides from <paramref name="report"/> and the override variable <paramref name="overrideValue"/> (null: unset), and applies it.</summary>
    /// <exception cref="ArgumentException">The override is neither <c>on</c> nor <c>off</c>.</exception>
    public static void Configure(CpuCacheReport report, string? overrideValue)
    {
        (_active, Reason) = Decide(report, overrideValue);
        _configured = true;
    }

    /// <summary>What <see cref="Configure"/> would set: whether the guard is on, and why.</summary>
    /// <exception cref="ArgumentException">The override is neither <c>on</c> nor <c>off</c>.</exception>
    public static (bool Active, string Reason) Decide(CpuCacheReport report, string? overrideValue) => overrideValue?.Trim().ToLowerInvariant() switch
    {
        null or "" => report.Hidden
            ? (true, $"strided 1×1 convolutions run as matrix products: this CPU hides its cache sizes ({report.Describe()}), on which oneDNN's strided 1×1 backward crashes")
            : (false, $"oneDNN for every convolution: {report.Describe()}"),
        "on" => (true, $"strided 1×1 convolutions run as matrix products: forced by {OverrideVariable}=on ({report.Describe()})"),
        "off" => (false, $"oneDNN for every convolution: forced by {OverrideVariable}=off ({report.Describe()})" +
            (report.Hidden ? "; this CPU hides its cache sizes, so ResNet training may die with SIGFPE" : "")),
        _ => throw new ArgumentException($"{OverrideVariable}={overrideValue}: expected 'on' or 'off' (or unset, to decide from the CPU)"),
    };

    /// <summary>Sets the guard until the returned scope is disposed, then restores the previous state (benchmarks comparing both paths).</summary>
    public static IDisposable Force(bool active)
    {
        var (before, reason) = (Active, Reason);
        _active = active;
        Reason = $"forced {(active ? "on" : "off")} in this process";
        return new Restore(() => (_active, Reason) = (before, reason));
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? _undo = undo;

        public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
    }
}
