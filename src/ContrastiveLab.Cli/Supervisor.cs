using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Runs;
using ContrastiveLab.Sweeps;

namespace ContrastiveLab.Cli;

/// <summary>
/// Runs <c>train</c>, <c>sweep</c> and <c>reproduce</c> in a child process of the same CLI and outlives it, so that a
/// run killed by a signal (a fault inside libtorch, the out-of-memory killer) never ends without a word: the parent
/// sees the signal, reads which run and phase the child was in (<see cref="NativePhase"/>), writes the run folder's
/// <see cref="RunFailure"/> record with the signal, the phase and the command that resumes it, and says so on stderr.
/// The parent passes Ctrl-C and SIGTERM on to the child (which stops at the next step with a checkpoint) and exits
/// with the child's code; the child dies with the parent (Linux's parent-death signal), so killing the CLI kills the
/// run as before. Set <see cref="OffVariable"/>=1 to run in one process.
/// </summary>
internal static class Supervisor
{
    /// <summary>Set in the child: the parent's process id.</summary>
    public const string ChildVariable = "CONTRASTIVE_SUPERVISOR_PID";

    /// <summary><c>1</c>: no supervising parent.</summary>
    public const string OffVariable = "CONTRASTIVE_NO_SUPERVISOR";

    private static readonly string[] Supervised = ["train", "sweep", "reproduce"];
    private static readonly List<PosixSignalRegistration> Forwards = [];

    /// <summary>True when this invocation trains and should run under a supervising parent.</summary>
    public static bool Applies(string[] args)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(ChildVariable) is { Length: > 0 }
            || Environment.GetEnvironmentVariable(OffVariable) == "1" || Environment.ProcessPath is null)
        {
            return false;
        }
        var parse = CliApp.BuildRoot().Parse(args);
        return parse.Errors.Count == 0
            && !parse.Tokens.Any(t => t.Value is "-h" or "--help" or "-?")
            && Supervised.Contains(parse.CommandResult.Command.Name)
            && !SubmitsToSlurm(args); // `sweep --executor slurm` only writes and submits a script; its tasks are supervised where they run
    }

    private static bool SubmitsToSlurm(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--executor=slurm" || (args[i] == "--executor" && i + 1 < args.Length && args[i + 1] == "slurm"))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>In the child: die with the parent, and stop at once if it is already gone.</summary>
    public static void AttachToParent()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(ChildVariable) is not { Length: > 0 } value
            || !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parent))
        {
            return;
        }
        // Whatever this process starts (sbatch, whose jobs inherit the environment; Python) is not supervised by our parent.
        NativePhase.SupervisorFile = Environment.GetEnvironmentVariable(NativePhase.SupervisorVariable);
        Environment.SetEnvironmentVariable(ChildVariable, null);
        Environment.SetEnvironmentVariable(NativePhase.SupervisorVariable, null);
        const int PrSetPdeathsig = 1, Sigkill = 9;
        _ = Prctl(PrSetPdeathsig, Sigkill, 0, 0, 0);
        if (GetParentPid() != parent)
        {
            // The parent died before the death signal was armed: stop as if it had fired.
            Console.Error.WriteLine($"error: the supervising process {parent} is gone; stopping");
            Environment.Exit(137);
        }
    }

    /// <summary>Runs <paramref name="args"/> in a child and returns its exit code, recording a death by signal.</summary>
    public static int Run(string[] args, TextWriter stderr)
    {
        string phaseFile = Path.Combine(Path.GetTempPath(), $"contrastive-phase-{Environment.ProcessId}.json");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Supervisor).Assembly.Location);
        }
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment[ChildVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        start.Environment[NativePhase.SupervisorVariable] = phaseFile;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the training process");
        // Ctrl-C reaches the whole foreground process group (the child too); a signal sent to this process alone is
        // passed on. The child stops once however many copies arrive. The registrations stay until this process exits,
        // so a signal that comes after the child has ended is ignored rather than ending this process by it.
        int childId = child.Id;
        bool childEnded = false;
        // Held in a static list for the life of the process.
        Forwards.AddRange(new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                if (!Volatile.Read(ref childEnded))
                {
                    _ = Kill(childId, SignalNumber(context.Signal));
                }
            })));
        try
        {
            child.WaitForExit();
            Volatile.Write(ref childEnded, true);
            int code = child.ExitCode;
            // .NET reports a child killed by signal N as 128 + N; the CLI's own codes are 0-3 and 130 (interrupted).
            if (code is > 128 and < 160 and not 130)
            {
                Report(code - 128, NativePhase.ReadFile(phaseFile), args, stderr);
            }
            return code;
        }
        finally
        {
            IO.AtomicFile.TryDelete(phaseFile);
        }
    }

    /// <summary>The command that continues what <paramref name="args"/> started.</summary>
    public static string ResumeCommand(string[] args)
    {
        var words = args.ToList();
        bool train = CliApp.BuildRoot().Parse(args).CommandResult.Command.Name == "train";
        if (train && !words.Contains("--resume"))
        {
            words.Add("--resume");
        }
        return "contrastive " + string.Join(' ', words.Select(SlurmScript.Quote));
    }

    private static void Report(int signal, NativePhase.Record? where, string[] args, TextWriter stderr)
    {
        string message = NativePhase.DeathMessage(signal, where?.Phase);
        string resume = ResumeCommand(args);
        string recorded = "";
        if (where is not null && Directory.Exists(where.RunDirectory))
        {
            RunFailure.Write(where.RunDirectory, message, new JsonObject
            {
                ["signal"] = signal,
                ["signal_name"] = NativePhase.DescribeSignal(signal).Split(',')[0],
                ["phase"] = where.Phase,
                ["pid"] = where.Pid,
                ["resume"] = resume,
            });
            NativePhase.Clear(where.RunDirectory);
            recorded = $" Recorded in {Path.Combine(where.RunDirectory, RunFiles.Failure)}.";
        }
        stderr.WriteLine($"error: {message}.{recorded} Continue with: {resume}");
        if (signal == 8)
        {
            stderr.WriteLine($"hint: libtorch's convolutions fault so on CPUs that hide their cache sizes; the convolution guard avoids it " +
                $"(`contrastive bench --smoke --only gemm` says whether it is on; {Runtime.ConvolutionGuard.OverrideVariable}=on forces it).");
        }
    }

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGHUP => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentPid();
}
