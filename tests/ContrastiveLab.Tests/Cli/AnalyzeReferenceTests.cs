using System.Globalization;
using System.Text.Json;

namespace ContrastiveLab.Tests.Cli;

/// <summary>
/// End to end: <c>contrastive analyze --json</c> against the independent NumPy implementation in
/// tests/reference/analyze_reference.py, every number to 1e-4 relative (1e-6 absolute near zero).
/// </summary>
public sealed class AnalyzeReferenceTests : IDisposable
{
    private const double Relative = 1e-4;
    private const double AbsoluteFloor = 1e-6;

    private readonly string _dir = Directory.CreateTempSubdirectory("analyze-ref").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public void Clustered_embeddings_match_the_reference() =>
        CompareWithReference(SyntheticEmbeddings.Clustered(600, 16, 6, seed: 1), "0.07,0.2,0.5,1.0", hardK: 50);

    [SkippableFact]
    public void Near_duplicate_rows_match_the_reference() =>
        CompareWithReference(SyntheticEmbeddings.NearDuplicates(400, 24, seed: 2), "0.05,0.3,1.0", hardK: 3);

    [SkippableFact]
    public void Ten_thousand_rows_match_the_reference()
    {
        // Labels but no positives: the losses (and the reference's costly top-K partition) are covered above;
        // here the point is that the chunked paths of both sides agree at a size where chunks matter.
        Prerequisites.Numpy();
        var set = SyntheticEmbeddings.Clustered(10_000, 32, 50, seed: 3);
        string emb = Path.Combine(_dir, "emb.npy"), lab = Path.Combine(_dir, "lab.npy");
        ContrastiveLab.IO.NpyWriter.Write(emb, set.Embeddings);
        ContrastiveLab.IO.NpyWriter.Write(lab, set.Labels);
        AssertSameJson(RunReference(emb, lab, null, "0.1,0.5", null), RunCli(emb, lab, null, "0.1,0.5", null), "$");
    }

    [SkippableFact]
    public void Without_labels_or_positives_the_optional_numbers_are_null()
    {
        Prerequisites.Numpy();
        var set = SyntheticEmbeddings.Clustered(300, 8, 3, seed: 4);
        string emb = Path.Combine(_dir, "emb.npy");
        ContrastiveLab.IO.NpyWriter.Write(emb, set.Embeddings);
        var ours = RunCli(emb, null, null, "0.2,0.7", null);
        var reference = RunReference(emb, null, null, "0.2,0.7", null);
        foreach (string key in new[] { "tolerance", "alignment", "loss_simple" })
        {
            Assert.Equal(JsonValueKind.Null, ours.GetProperty(key).ValueKind);
        }
        Assert.All(ours.GetProperty("per_tau").EnumerateArray(), row => Assert.Equal(JsonValueKind.Null, row.GetProperty("loss_hard").ValueKind));
        AssertSameJson(reference, ours, "$");
    }

    [Fact]
    public void Readme_example_command_runs_and_prints_the_paper_sign_of_uniformity()
    {
        string root = CliRunner.RepositoryRoot();
        string Example(string name) => Path.Combine(root, "examples", "clustered", name);
        var (code, stdout, stderr) = CliRunner.Run("analyze", Example("embeddings.npy"), "--labels", Example("labels.npy"), "--positives", Example("positives.npy"));
        Assert.True(code == 0, stderr);
        Assert.Contains("-uniformity (paper)", stdout, StringComparison.Ordinal);
        Assert.Contains("loss_hard", stdout, StringComparison.Ordinal);
    }

    private void CompareWithReference(SyntheticEmbeddings.Set set, string taus, int? hardK)
    {
        Prerequisites.Numpy();
        SyntheticEmbeddings.WriteTo(set, _dir);
        string emb = Path.Combine(_dir, "embeddings.npy"), lab = Path.Combine(_dir, "labels.npy"), pos = Path.Combine(_dir, "positives.npy");
        var reference = RunReference(emb, lab, pos, taus, hardK);
        var ours = RunCli(emb, lab, pos, taus, hardK);
        AssertSameJson(reference, ours, "$");
    }

    private JsonElement RunCli(string emb, string? labels, string? positives, string taus, int? hardK)
    {
        string json = Path.Combine(_dir, "ours.json");
        var (code, _, stderr) = CliRunner.Run([.. Arguments(emb, labels, positives, taus, hardK, json, "analyze"), "--threads", "2"]);
        Assert.True(code == 0, $"analyze failed ({code}): {stderr}");
        return JsonDocument.Parse(File.ReadAllText(json)).RootElement;
    }

    private JsonElement RunReference(string emb, string? labels, string? positives, string taus, int? hardK)
    {
        string json = Path.Combine(_dir, "reference.json");
        string script = Path.Combine(CliRunner.RepositoryRoot(), "tests", "reference", "analyze_reference.py");
        var (code, _, stderr) = PythonNumpy.Run(Arguments(emb, labels, positives, taus, hardK, json, script));
        Assert.True(code == 0, $"reference failed ({code}): {stderr}");
        return JsonDocument.Parse(File.ReadAllText(json)).RootElement;
    }

    private static List<string> Arguments(string emb, string? labels, string? positives, string taus, int? hardK, string json, string first)
    {
        List<string> args = [first, emb, "--tau", taus, "--json", json];
        if (labels is not null)
        {
            args.AddRange(["--labels", labels]);
        }
        if (positives is not null)
        {
            args.AddRange(["--positives", positives]);
        }
        if (hardK is { } k)
        {
            args.AddRange(["--hard-k", k.ToString(CultureInfo.InvariantCulture)]);
        }
        return args;
    }

    /// <summary>Same keys, same nulls, same list lengths, every number within tolerance.</summary>
    private static void AssertSameJson(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), actual.EnumerateObject().Select(p => p.Name).Order());
                foreach (var property in expected.EnumerateObject())
                {
                    AssertSameJson(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                }
                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertSameJson(expected[i], actual[i], $"{path}[{i}]");
                }
                break;
            case JsonValueKind.Number:
                double e = expected.GetDouble(), a = actual.GetDouble();
                double allowed = Math.Max(Relative * Math.Max(Math.Abs(e), Math.Abs(a)), AbsoluteFloor);
                Assert.True(Math.Abs(e - a) <= allowed, $"{path}: reference {e:R}, analyze {a:R} (|diff| {Math.Abs(e - a):G3} > {allowed:G3})");
                break;
        }
    }
}
