namespace ContrastiveLab.Tests;

/// <summary>
/// The tools some cross-checks need beyond the .NET SDK. Each method skips the calling test (a real skip, counted by
/// the runner, with the reason and the install command) when its tool is missing; such tests are
/// <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>. <c>bash .ci/run</c> installs every tool and fails on any skip.
/// </summary>
internal static class Prerequisites
{
    public const string Python = "/usr/bin/python3";
    public const string Chromium = "/usr/bin/chromium";

    private static readonly Lazy<string?> NumpyProblem = new(() => PythonImportProblem("numpy"));
    private static readonly Lazy<string?> TorchProblem = new(() => PythonImportProblem("torch"));
    private static readonly Lazy<string?> TorchvisionProblem = new(() => PythonImportProblem("torch, torchvision"));

    /// <summary>Debian's Python with NumPy (the independent reference for the .npy files and <c>analyze</c>).</summary>
    public static void Numpy() => SkipUnless(NumpyProblem.Value, "python3-numpy");

    /// <summary>Debian's Python with PyTorch.</summary>
    public static void PyTorch() => SkipUnless(TorchProblem.Value, "python3-torch libopenblas0-openmp");

    /// <summary>Debian's Python with PyTorch and torchvision.</summary>
    public static void Torchvision() => SkipUnless(TorchvisionProblem.Value, "python3-torchvision");

    /// <summary>Debian's Chromium, for rendering the report headless.</summary>
    public static void HeadlessChromium() =>
        SkipUnless(File.Exists(Chromium) ? null : $"{Chromium} is not installed", "chromium");

    /// <summary>Debian's full Fashion-MNIST (the bundled subset's source).</summary>
    public static void DebianFashionMnist(string folder) =>
        SkipUnless(Directory.Exists(folder) ? null : $"{folder} does not exist", "dataset-fashion-mnist");

    /// <summary>Linux, for what only Linux has (folder sync, tmpfs, the local Slurm cluster).</summary>
    public static void Linux(string what) =>
        Skip.IfNot(OperatingSystem.IsLinux(), $"{what} needs Linux");

    private static void SkipUnless(string? problem, string packages) =>
        Skip.If(problem is not null, $"{problem}. Install: apt-get install -y {packages} (or run bash .ci/run, which installs every test tool)");

    private static string? PythonImportProblem(string modules)
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is not installed";
        }
        try
        {
            var (code, _, err) = ProcessExec.Run(Python, "-c", $"import {modules}");
            return code == 0 ? null : $"`{Python} -c \"import {modules}\"` failed: {err.Trim().Split('\n')[^1]}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be started: {e.Message}";
        }
    }
}
