using System.Runtime.InteropServices;
using ContrastiveLab.IO;

namespace ContrastiveLab.Runs;

/// <summary>
/// Marks the stretch of a run that spends its time in libtorch (an epoch's training, an evaluation, the final
/// embeddings), so that a process killed there by a signal (a SIGFPE or SIGSEGV inside native code, the kernel's
/// out-of-memory killer) leaves word of where it died. <see cref="Enter"/> writes <see cref="FileName"/> into the run
/// folder before the phase starts and the returned scope removes it when the phase ends, normally or by an exception;
/// a marker found later, with the run folder's lock free, is a process that died inside the phase. Where the
/// <see cref="SupervisorFile"/> names a file (the CLI's supervising parent passes it), the same record goes there
/// too, so the parent can say which run died and in which phase after it sees the signal.
/// </summary>
public static class NativePhase
{
    /// <summary>The marker in the run folder.</summary>
    public const string FileName = "phase.json";

    /// <summary>Names a file where the current run folder and phase are also written (set by the CLI's supervisor).</summary>
    public const string SupervisorVariable = "CONTRASTIVE_PHASE_FILE";

    /// <summary>
    /// The supervisor's copy of the marker: read from <see cref="SupervisorVariable"/> by the supervised CLI at start-up
    /// (which then removes the variable, so that the processes it starts do not inherit it); null when unsupervised.
    /// </summary>
    public static string? SupervisorFile { get; set; }

    /// <summary>
    /// Fault injection for testing the crash record: <c>SIGNAL:PREFIX</c> (e.g. <c>9:epoch 1 training</c>) makes the
    /// process send itself that signal on entering the first phase whose name starts with PREFIX.
    /// </summary>
    public const string DieVariable = "CONTRASTIVE_DIE_IN_PHASE";

    /// <summary>What a marker holds.</summary>
    /// <param name="Phase">What the process was doing, e.g. "epoch 3 training (from global step 121)"; null between phases (supervisor's copy only).</param>
    /// <param name="RunDirectory">The run folder.</param>
    /// <param name="Pid">The process.</param>
    /// <param name="Host">The machine.</param>
    /// <param name="Started">When the phase began (UTC, ISO 8601).</param>
    public sealed record Record(string? Phase, string RunDirectory, int Pid, string Host, string Started);

    /// <summary>Writes the marker for <paramref name="phase"/>; disposing the result removes it.</summary>
    public static IDisposable Enter(string runDirectory, string phase)
    {
        var record = new Record(phase, Path.GetFullPath(runDirectory), Environment.ProcessId, Environment.MachineName,
            DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        string json = JsonSerializer.Serialize(record, Json);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName), json);
        if (SupervisorFile is { Length: > 0 } supervisor)
        {
            TryWrite(supervisor, json);
        }
        DieIfAsked(phase);
        return new Scope(record);
    }

    /// <summary>The marker left in <paramref name="runDirectory"/>, or null (none, or unreadable).</summary>
    public static Record? Read(string runDirectory) => ReadFile(Path.Combine(runDirectory, FileName));

    /// <summary>A record written to <paramref name="path"/>, or null.</summary>
    public static Record? ReadFile(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Record>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Removes a marker left by a dead process (call with the run folder's lock held).</summary>
    public static void Clear(string runDirectory) => AtomicFile.TryDelete(Path.Combine(runDirectory, FileName));

    /// <summary>A signal's name and what it usually means here: "SIGFPE, an arithmetic fault".</summary>
    public static string DescribeSignal(int signal) => signal switch
    {
        1 => "SIGHUP, the terminal closed",
        4 => "SIGILL, an illegal instruction",
        6 => "SIGABRT, an abort",
        7 => "SIGBUS, a bus error",
        8 => "SIGFPE, an arithmetic fault",
        9 => "SIGKILL, sent by a kill or by the kernel's out-of-memory killer",
        11 => "SIGSEGV, a memory fault",
        15 => "SIGTERM, asked to stop",
        _ => $"signal {signal}",
    };

    /// <summary>
    /// One line for a process that died by <paramref name="signal"/> in <paramref name="phase"/>: faults are native
    /// code's (libtorch is the native code a run executes), kills are not.
    /// </summary>
    public static string DeathMessage(int signal, string? phase)
    {
        bool fault = signal is 4 or 6 or 7 or 8 or 11;
        string where = phase is null ? "outside the training and evaluation phases" : $"during {phase}";
        return fault
            ? $"the run died in libtorch (signal {signal}, {DescribeSignal(signal)}) {where}"
            : $"the run was killed (signal {signal}, {DescribeSignal(signal)}) {where}";
    }

    private static void DieIfAsked(string phase)
    {
        if (Environment.GetEnvironmentVariable(DieVariable) is not { Length: > 0 } spec || !OperatingSystem.IsLinux())
        {
            return;
        }
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(spec[..colon], NumberStyles.Integer, CultureInfo.InvariantCulture, out int signal)
            && phase.StartsWith(spec[(colon + 1)..], StringComparison.Ordinal))
        {
            Console.Out.Flush();
            Console.Error.Flush();
            if (signal == 8)
            {
                // A real arithmetic fault in native code, as libtorch's: .NET ignores a SIGFPE merely sent by kill.
                _ = Divide(1, 0);
            }
            _ = Kill(Environment.ProcessId, signal);
            Thread.Sleep(TimeSpan.FromSeconds(30));
            throw new InvalidOperationException($"{DieVariable}={spec}: signal {signal} did not end the process");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "div")]
    private static extern long Divide(int numerator, int denominator);

    private static void TryWrite(string path, string text)
    {
        try
        {
            AtomicFile.WriteAllText(path, text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The supervisor's copy only improves its message; the run folder's marker is the record.
        }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private sealed class Scope(Record record) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Clear(record.RunDirectory);
                if (SupervisorFile is { Length: > 0 } supervisor)
                {
                    // Between phases the supervisor still learns the run folder, with no phase.
                    TryWrite(supervisor, JsonSerializer.Serialize(record with { Phase = null }, Json));
                }
            }
        }
    }
}
