using System.Diagnostics;
using System.Globalization;

namespace ContrastiveLab.Tests.Cli;

/// <summary>
/// The <c>contrastive</c> CLI in a child process (for faults that need a real process: SIGKILL, SIGINT), with its
/// output collected for assertions and failure messages.
/// </summary>
internal sealed class ChildCli : IDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly System.Text.StringBuilder _stdout = new();
    private readonly System.Text.StringBuilder _stderr = new();
    private readonly Thread _stdoutPump;
    private readonly Thread _stderrPump;

    private ChildCli(Process process)
    {
        _process = process;
        // Dedicated threads, not the thread pool: with the suite's other tests busy, a pool task can start seconds
        // late, and a test that waits for a line (the interrupt test waits for "run:") would see it only after the
        // child had finished.
        _stdoutPump = Pump(process.StandardOutput, _stdout);
        _stderrPump = Pump(process.StandardError, _stderr);
    }

    private Thread Pump(StreamReader reader, System.Text.StringBuilder into)
    {
        var thread = new Thread(() =>
        {
            while (reader.ReadLine() is { } line)
            {
                lock (_gate)
                {
                    into.Append(line).Append('\n');
                }
            }
        })
        { IsBackground = true, Name = "child output" };
        thread.Start();
        return thread;
    }

    /// <summary>Starts <c>dotnet exec contrastive.dll --threads 2 ARGS</c>.</summary>
    public static ChildCli Start(params string[] args) => StartWith(new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="Start"/>, with these environment variables set (null: removed).</summary>
    public static ChildCli StartWith(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "contrastive.dll");
        Assert.True(File.Exists(cli), $"{cli} is missing: the test project references the CLI project, which copies it here");
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "exec", cli, "--threads", "2" }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new ChildCli(Process.Start(start)!);
    }

    public int Id => _process.Id;

    /// <summary>What it printed on stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Waits until a stdout line contains <paramref name="text"/> or the process exits; true when seen.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (Stdout.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }
            if (_process.HasExited)
            {
                _stdoutPump.Join(TimeSpan.FromSeconds(10));
                return Stdout.Contains(text, StringComparison.Ordinal);
            }
            Thread.Sleep(10);
        }
        return false;
    }

    /// <summary>Waits for exit; true when it exited within <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>SIGKILL: no handler runs, nothing is flushed or written on the way out.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // exited in the meantime
        }
        _process.WaitForExit();
    }

    /// <summary>Sends a signal by name (e.g. INT) with the system's <c>kill</c>.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Exit status and both outputs, for failure messages (call after exit).</summary>
    public string Log()
    {
        _process.WaitForExit();
        _stdoutPump.Join(TimeSpan.FromSeconds(10));
        _stderrPump.Join(TimeSpan.FromSeconds(10));
        return $"exit {_process.ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Everything on stderr (call after exit; waits up to 10 s for the pipe to close).</summary>
    public string Stderr
    {
        get
        {
            _stderrPump.Join(TimeSpan.FromSeconds(10));
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }
}
