using System.Runtime.InteropServices;

namespace ContrastiveLab.Cli;

/// <summary>
/// While alive, Ctrl-C (SIGINT) and SIGTERM do not kill the process but cancel <see cref="Token"/>, so training stops
/// at the next step boundary and writes a checkpoint. SIGTERM is how Slurm stops a task (scancel, pre-emption, time
/// limit) before it sends SIGKILL, and what <c>timeout</c>, <c>kill</c> and container runtimes send.
/// </summary>
public sealed class CtrlCCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _sigterm;

    public CtrlCCancellation()
    {
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
    }
}
