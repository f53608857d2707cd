
namespace ContrastiveLab.Tests;

/// <summary>
/// Debian's <c>/usr/bin/python3</c> with NumPy, the independent implementation some tests compare against.
/// Missing NumPy fails those tests unless <c>CONTRASTIVE_SKIP_PYTHON=1</c> is set.
/// </summary>
internal static class PythonNumpy
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Problem = new(() =>
    {
        try
        {
            var (code, _, err) = Run(["-c", "import numpy"]);
            return code == 0 ? null : $"`{Python} -c \"import numpy\"` failed: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be started: {e.Message}";
        }
    });

    /// <summary>
    /// True when Python with NumPy can be used. False only when it cannot and CONTRASTIVE_SKIP_PYTHON=1 (the caller
    /// then returns early); otherwise a missing NumPy fails the calling test.
    /// </summary>
    public static bool Require()
    {
        if (Problem.Value is not { } problem)
        {
            return true;
        }
        if (Environment.GetEnvironmentVariable("CONTRASTIVE_SKIP_PYTHON") == "1")
        {
            return false;
        }
        Assert.Fail($"{problem}. Install it with `apt-get install -y python3-numpy`, or set CONTRASTIVE_SKIP_PYTHON=1 to skip the NumPy comparisons.");
        return false;
    }

    /// <summary>Runs Python with the given arguments and returns its exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args) => ProcessExec.Run(Python, [.. args]);

    /// <summary>Runs a Python snippet with NumPy imported as np; fails the test if it exits non-zero.</summary>
    public static string RunSnippet(string code)
    {
        var (exit, stdout, stderr) = Run(["-c", "import numpy as np\n" + code]);
        Assert.True(exit == 0, $"python failed ({exit}): {stderr}");
        return stdout;
    }
}
