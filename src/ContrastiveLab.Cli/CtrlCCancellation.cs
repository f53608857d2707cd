namespace ContrastiveLab.Cli;

/// <summary>
/// While alive, Ctrl-C (SIGINT) does not kill the process but cancels <see cref="Token"/>, so training stops at
/// the next step boundary and writes a checkpoint.
/// </summary>
public sealed class CtrlCCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    public CtrlCCancellation() => Console.CancelKeyPress += OnCancel;

    public CancellationToken Token => _source.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _source.Cancel();
        Console.Error.WriteLine("stopping at the next step boundary (a checkpoint will be written)…");
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }
}
