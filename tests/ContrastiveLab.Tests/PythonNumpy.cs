
namespace ContrastiveLab.Tests;

/// <summary>
/// Debian's <c>/usr/bin/python3</c> with NumPy, the independent implementation some tests compare against. Tests
/// that use it call <see cref="Prerequisites.Numpy"/> first, which skips them where NumPy is missing.
/// </summary>
internal static class PythonNumpy
{
    public const string Python = Prerequisites.Python;

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
