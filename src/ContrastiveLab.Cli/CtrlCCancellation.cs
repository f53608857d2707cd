using System.Runtime.InteropServices;

namespace ContrastiveLab.Cli;

/// <summary>
/// While alive, Ctrl-C (SIGINT) does not kill the process but cancels <see cref="Token"/>, so training stops at
/// the next step boundary and writes a checkpoint. Optionally SIGTERM does the same: that is how Slurm stops a
/// task (scancel, pre-emption, time limit) before it sends SIGKILL.
/// </summary>
public sealed class CtrlCCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration? _sigterm;

    /// <param name="sigterm">Also turn SIGTERM into a cancellation.</param>
    public CtrlCCancellation(bool sigterm = false)
    {
        Console.CancelKeyPress += OnCancel;
        if (sigterm)
        {
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Stop("SIGTERM");
            });
        }
    }

    public CancellationToken Token => _source.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Stop("Ctrl-C");
    }

    private void Stop(string why)
    {
        _source.Cancel();
        Console.Error.WriteLine($"{why}: stopping at the next step boundary (a checkpoint will be written)…");
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _sigterm?.Dispose();
        _source.Dispose();
    }
}
