using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.Cli;

/// <summary>Every bad input to <c>contrastive analyze</c> is one <c>error:</c> line naming the culprit, exit code 2.</summary>
public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("analyze-bad").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, NpyArray array)
    {
        string path = Path.Combine(_dir, name);
        NpyWriter.Write(path, array);
        return path;
    }

    private string Good(string name = "emb.npy", int n = 6, int dim = 3) =>
        Write(name, NpyArray.Create(Enumerable.Range(1, n * dim).Select(i => (float)Math.Sin(i)).ToArray(), n, dim));

    private static void AssertUsageError(string culprit, string expected, params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(["analyze", .. args]);
        Assert.Equal(2, code);
        string[] lines = stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{stderr}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(culprit, lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file() => AssertUsageError("nope.npy", "file not found", Path.Combine(_dir, "nope.npy"));

    [Fact]
    public void Missing_labels_file()
    {
        string labels = Path.Combine(_dir, "labels.npy");
        AssertUsageError(labels, "file not found", Good(), "--labels", labels);
    }

    [Fact]
    public void Not_an_npy_file()
    {
        string path = Path.Combine(_dir, "emb.csv");
        File.WriteAllText(path, "1,2,3\n4,5,6\n");
        AssertUsageError(path, "not a .npy file", path);
    }

    [Fact]
    public void Truncated_file()
    {
        string path = Good();
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        AssertUsageError(path, "truncated", path);
    }

    [Fact]
    public void Integer_embeddings() =>
        AssertUsageError("emb.npy", "must be float32 or float64, not <i8", Write("emb.npy", NpyArray.Create(new long[6], 3, 2)));

    [Fact]
    public void Unsupported_dtype_in_the_file()
    {
        string path = Path.Combine(_dir, "half.npy");
        File.WriteAllBytes(path, IO.NpyBytes.Build("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }\n", new byte[8]));
        AssertUsageError(path, "unsupported dtype '<f2'", path);
    }

    [Fact]
    public void Fortran_order()
    {
        string path = Path.Combine(_dir, "fortran.npy");
        File.WriteAllBytes(path, IO.NpyBytes.Build("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }\n", IO.NpyBytes.Float64(1, 2, 3, 4)));
        AssertUsageError(path, "Fortran-order", path);
    }

    [Fact]
    public void Wrong_rank_embeddings() =>
        AssertUsageError("emb.npy", "must be 2-D (N, D), got shape (6,)", Write("emb.npy", NpyArray.Create(new float[6], 6)));

    [Fact]
    public void Wrong_rank_labels() =>
        AssertUsageError("lab.npy", "must be 1-D (N,), got shape (6, 1)", Good(), "--labels", Write("lab.npy", NpyArray.Create(new long[6], 6, 1)));

    [Fact]
    public void Float_labels() =>
        AssertUsageError("lab.npy", "labels must be integers", Good(), "--labels", Write("lab.npy", NpyArray.Create(new float[6], 6)));

    [Fact]
    public void Label_count_mismatch() =>
        AssertUsageError("lab.npy", "has 5 labels but", Good(), "--labels", Write("lab.npy", NpyArray.Create(new int[5], 5)));

    [Fact]
    public void Positive_row_count_mismatch() =>
        AssertUsageError("pos.npy", "has 5 rows but", Good(), "--positives", Good("pos.npy", n: 5));

    [Fact]
    public void Positive_dimension_mismatch() =>
        AssertUsageError("pos.npy", "has dimension 4 but", Good(), "--positives", Good("pos.npy", dim: 4));

    [Theory]
    [InlineData(float.NaN, "row 4, column 1 contains NaN")]
    [InlineData(float.PositiveInfinity, "row 4, column 1 contains an infinite value (+inf)")]
    [InlineData(float.NegativeInfinity, "row 4, column 1 contains an infinite value (-inf)")]
    public void Non_finite_values_name_the_row_and_column(float bad, string expected)
    {
        float[] data = Enumerable.Range(1, 18).Select(i => (float)i).ToArray();
        data[13] = bad;
        AssertUsageError("emb.npy", expected, Write("emb.npy", NpyArray.Create(data, 6, 3)));
        AssertUsageError("pos.npy", expected, Good(), "--positives", Write("pos.npy", NpyArray.Create(data, 6, 3)));
        double[] wide = [.. data.Select(v => (double)v)];
        AssertUsageError("emb64.npy", expected, Write("emb64.npy", NpyArray.Create(wide, 6, 3)));
        AssertUsageError("pos64.npy", expected, Good(), "--positives", Write("pos64.npy", NpyArray.Create(wide, 6, 3)));
    }

    [Fact]
    public void Labels_cannot_hold_non_finite_values_because_they_must_be_integers() =>
        AssertUsageError("lab.npy", "labels must be integers", Good(), "--labels", Write("lab.npy", NpyArray.Create(new[] { 0.0, 1, double.NaN, 1, 0, 1 }, 6)));

    [Fact]
    public void All_zero_row_is_named()
    {
        double[] data = Enumerable.Range(1, 18).Select(i => (double)i).ToArray();
        Array.Clear(data, 6, 3);
        AssertUsageError("emb.npy", "row 2 is all zeros", Write("emb.npy", NpyArray.Create(data, 6, 3)));
    }

    [Fact]
    public void Fewer_than_two_rows() =>
        AssertUsageError("emb.npy", "at least 2 rows", Good(n: 1));

    [Theory]
    [InlineData("0.1,abc", "'abc' is not a number")]
    [InlineData("0.1,,0.2", "'' is not a number")]
    [InlineData("0", "each must be > 0")]
    [InlineData("0.5,-0.1", "each must be > 0")]
    [InlineData("nan", "is not a number")]
    public void Bad_tau_list(string taus, string expected) =>
        AssertUsageError("--tau", expected, Good(), "--tau", taus);

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("-3")]
    public void Hard_k_out_of_range(string k) =>
        AssertUsageError("emb.npy", "K must be in [1, 5]", Good(), "--hard-k", k);
}
