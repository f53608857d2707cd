using System.Text.Json.Nodes;
using ContrastiveLab.Tests.Cli;

namespace ContrastiveLab.Tests.Bench;

/// <summary><c>contrastive bench</c> on the command line: smoke JSON output and one-line usage errors.</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Smoke_run_writes_a_json_list_of_the_selected_workloads()
    {
        string path = Path.Combine(_dir, "bench.json");
        var (code, stdout, stderr) = CliRunner.Run("bench", "--smoke", "--only", "gemm,loss-bank", "--json", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("gemm:", stdout, StringComparison.Ordinal);
        var array = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        // gemm twice where the CPU has native bf16: float32, then the bf16 variant.
        string[] expected = ContrastiveLab.Runtime.CpuBf16.Supported ? ["loss-bank", "gemm", "gemm"] : ["loss-bank", "gemm"];
        Assert.Equal(expected, array.Select(o => o!["name"]!.GetValue<string>()));
        Assert.All(array.Skip(1), o => Assert.True(o!["gflops"]!.GetValue<double>() > 0));
    }

    [Theory]
    [InlineData("--only", "nope", "nope")]
    [InlineData("--repeats", "0", "--repeats")]
    public void Bad_options_are_one_usage_error(string option, string value, string culprit)
    {
        var (code, _, stderr) = CliRunner.Run("bench", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.Contains(culprit, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
    }
}
