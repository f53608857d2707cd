using ContrastiveLab.IO;

namespace ContrastiveLab.Tests.Cli;

/// <summary>The bundled examples/clustered files are exactly what <see cref="SyntheticEmbeddings.Clustered"/> makes.</summary>
public class ExampleDataTests
{
    private static readonly SyntheticEmbeddings.Set Example = SyntheticEmbeddings.Clustered(2000, 32, 10, seed: 2021);

    /// <summary>Set CONTRASTIVE_WRITE_EXAMPLES=1 and run this test to (re)generate the files.</summary>
    [Fact]
    public void Bundled_clustered_example_matches_its_generator()
    {
        string dir = Path.Combine(CliRunner.RepositoryRoot(), "examples", "clustered");
        if (Environment.GetEnvironmentVariable("CONTRASTIVE_WRITE_EXAMPLES") == "1")
        {
            SyntheticEmbeddings.WriteTo(Example, dir);
        }
        AssertSameFile(Example.Embeddings, Path.Combine(dir, "embeddings.npy"));
        AssertSameFile(Example.Labels, Path.Combine(dir, "labels.npy"));
        AssertSameFile(Example.Positives, Path.Combine(dir, "positives.npy"));
        long total = Directory.GetFiles(dir, "*.npy").Sum(f => new FileInfo(f).Length);
        Assert.True(total < 1 << 20, $"the example is {total} bytes; keep it under 1 MB");
    }

    private static void AssertSameFile(NpyArray expected, string path)
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, expected);
        Assert.True(stream.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"{path} differs from the generator's output");
    }
}
