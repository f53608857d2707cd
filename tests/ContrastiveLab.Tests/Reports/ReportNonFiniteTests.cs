using ContrastiveLab.IO;
using ContrastiveLab.RunFormat;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Reports;

/// <summary>A run's saved test embeddings holding NaN stop the report with the file, row and column, not a libtorch error.</summary>
public sealed class ReportNonFiniteTests : IDisposable
{
    private readonly string _root = SyntheticRuns.Sweep(reversed: false);

    [Fact]
    public void Non_finite_test_embeddings_are_named_with_row_and_column()
    {
        string run = Path.Combine(_root, "c-0.07");
        var embeddings = Enumerable.Range(0, 40).Select(i => (float)Math.Sin(i)).ToArray();
        embeddings[2 * 4 + 3] = float.NaN;
        NpyWriter.Write(Path.Combine(run, RunFiles.TestEmbeddings), NpyArray.Create(embeddings, 10, 4));
        NpyWriter.Write(Path.Combine(run, RunFiles.TestLabels), NpyArray.Create(Enumerable.Range(0, 10).Select(i => (long)(i % 3)).ToArray(), 10));

        var (code, _, stderr) = CliRunner.Run("report", _root, "--preset", "synthetic");

        Assert.Equal(2, code);
        // The report names the device on stderr before it starts; the error is one line after it.
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal($"error: {Path.Combine(run, RunFiles.TestEmbeddings)}: row 2, column 3 is not finite (NaN); the run's test embeddings are damaged", line);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
