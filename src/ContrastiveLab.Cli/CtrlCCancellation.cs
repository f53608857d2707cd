using System.Runtime.InteropServices;

namespace ContrastiveLab.Cli;

/// <summary>
/// While alive, Ctrl-C (SIGINT) and SIGTERM do not kill the process but cancel <see cref="Token"/>, so training stops
/// at the next step boundary and writes a checkpoint. SIGTERM is how Slurm stops a task (scancel, pre-emption, time
/// limit) before it sends SIGKILL, and what <c>timeout</c>, <c>kill</c> and container runtimes send.
/// </summary>
public sealed class CtrlCCancellation : IDisposable
{
    private static int _alive;
    private static volatile bool _ended;
    private static readonly List<PosixSignalRegistration> LateGuards = [];
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _sigterm;

    /// <summary>
    /// For the rest of the process: a Ctrl-C or SIGTERM that arrives after a run has ended (this object disposed, the
    /// process on its way out) is ignored instead of killing the process by the signal, so a stop that comes just too
    /// late does not turn a finished run's exit code 0 into 130 + a death by signal (143). Before any run starts the
    /// signals keep their default effect.
    /// </summary>
    public static void GuardLateSignals()
    {
        lock (LateGuards)
        {
            if (LateGuards.Count > 0)
            {
                return;
            }
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                LateGuards.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    if (Volatile.Read(ref _alive) == 0 && _ended)
                    {
                        context.Cancel = true;
                    }
                }));
            }
        }
    }

    public CtrlCCancellation()
    {
        Interlocked.Increment(ref _alive);
        Console.CancelKeyPress += OnCancel;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Stop("SIGTERM");
        });
    }

    public CancellationToken Token => _source.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Stop("Ctrl-C");
    }

    private void Stop(string why)
    {
        if (_source.IsCancellationRequested)
        {
            return; // the same stop again (Ctrl-C reaches the supervising parent too, which passes it on)
        }
        _source.Cancel();
        Console.Error.WriteLine($"{why}: stopping at the next step boundary (a checkpoint will be written)…");
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _sigterm.Dispose();
        _source.Dispose();
        _ended = true;
        Interlocked.Decrement(ref _alive);
    }
}
