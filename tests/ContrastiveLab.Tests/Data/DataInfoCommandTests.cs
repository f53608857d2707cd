using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using ContrastiveLab.Cli;
using ContrastiveLab.Data;

namespace ContrastiveLab.Tests.Data;

/// <summary><c>contrastive data info</c> end to end through <see cref="CliApp.Run"/>.</summary>
public class DataInfoCommandTests
{
    private const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Info(string dataset, params string[] extra)
    {
        var (code, output, error) = Run(["data", "info", "--dataset", dataset, .. extra]);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.GetProperty(dataset).Clone();
    }

    private static void AssertBalanced(JsonElement split, int count, int perClass)
    {
        Assert.Equal(count, split.GetProperty("count").GetInt32());
        var labels = split.GetProperty("label_counts").EnumerateObject().ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), labels.Select(p => p.Name));
        Assert.All(labels, p => Assert.Equal(perClass, p.Value.GetInt32()));
        Assert.Equal([1, 28, 28], split.GetProperty("shape_chw").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void Default_dataset_is_the_bundled_balanced_subset()
    {
        var (code, output, _) = Run("data", "info");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var data = doc.RootElement.GetProperty(DatasetCatalog.DefaultDataset);
        AssertBalanced(data.GetProperty("train"), 10_000, 1_000);
        AssertBalanced(data.GetProperty("test"), 2_000, 200);
    }

    [Fact]
    public void Bundled_subset_facts_agree_with_a_naive_pass_over_its_idx_bytes()
    {
        var data = Info(DatasetCatalog.DefaultDataset);
        var repoData = Path.Combine(FindRepoRoot(), "data", "fashion-mnist-subset");
        foreach (var (split, prefix) in new[] { ("train", "train"), ("test", "t10k") })
        {
            var raw = Gunzip(Path.Combine(repoData, $"{prefix}-images-idx3-ubyte.gz"));
            AssertPixelFacts(data.GetProperty(split), raw);
        }
    }

    [SkippableFact]
    public void Debian_fashion_mnist_reports_60000_and_10000_balanced_images()
    {
        Prerequisites.DebianFashionMnist(DebianFashionMnist);
        var data = Info("fashion-mnist", "--data-dir", Path.Combine(Path.GetTempPath(), "contrastivelab-no-such-dir"));
        AssertBalanced(data.GetProperty("train"), 60_000, 6_000);
        AssertBalanced(data.GetProperty("test"), 10_000, 1_000);
        AssertPixelFacts(data.GetProperty("train"), Gunzip(Path.Combine(DebianFashionMnist, "train-images-idx3-ubyte.gz")));
        AssertPixelFacts(data.GetProperty("test"), Gunzip(Path.Combine(DebianFashionMnist, "t10k-images-idx3-ubyte.gz")));
    }

    [SkippableFact]
    public void Bundled_subset_is_the_first_images_of_each_class_of_the_debian_files()
    {
        Prerequisites.DebianFashionMnist(DebianFashionMnist); // the rule can only be re-applied to the full data
        var bundled = IdxDatasetReader.ReadBundledSubset();
        foreach (var (split, prefix, perClass) in new[] { ("train", "train", 1000), ("test", "t10k", 200) })
        {
            var images = Gunzip(Path.Combine(DebianFashionMnist, $"{prefix}-images-idx3-ubyte.gz"));
            var labels = Gunzip(Path.Combine(DebianFashionMnist, $"{prefix}-labels-idx1-ubyte.gz"));
            var seen = new int[10];
            int kept = 0;
            for (int i = 0; i < labels.Length - 8; i++)
            {
                int label = labels[8 + i];
                if (seen[label]++ >= perClass)
                {
                    continue;
                }
                Assert.Equal(label, bundled[split].Labels[kept]);
                Assert.True(images.AsSpan(16 + (i * 784), 784).SequenceEqual(bundled[split].Image(kept)), $"{split} image {kept} differs from source image {i}");
                kept++;
            }
            Assert.Equal(bundled[split].Count, kept);
        }
    }

    [Fact]
    public void Json_option_writes_the_facts_json_layout_for_a_fixture_path()
    {
        using var temp = Fixtures.Temp();
        string json = temp["svhn.json"];
        var (code, _, error) = Run("data", "info", "--dataset", "svhn", "--path", Fixtures.Root, "--json", json);
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (string split in new[] { "train", "test" })
        {
            var expected = Fixtures.Facts("svhn", split);
            var actual = doc.RootElement.GetProperty("svhn").GetProperty(split);
            foreach (var property in expected.EnumerateObject())
            {
                Assert.Equal(property.Value.GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal),
                    actual.GetProperty(property.Name).GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Missing_dataset_says_what_to_put_where_and_exits_2()
    {
        using var temp = Fixtures.Temp();
        var (code, _, error) = Run("data", "info", "--dataset", "cifar10", "--data-dir", temp.Path);
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains("cifar-10-binary.tar.gz", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(temp.Path, "cifar10"), error, StringComparison.Ordinal);
        Assert.Contains("https://www.cs.toronto.edu/", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Unknown_dataset_and_bad_file_are_one_line_errors_with_exit_2()
    {
        var (code, _, error) = Run("data", "info", "--dataset", "imagenet1k");
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains("unknown dataset", error, StringComparison.Ordinal);

        using var temp = Fixtures.Temp();
        File.WriteAllText(temp[CifarReader.Cifar10Archive], "not a tarball");
        (code, _, error) = Run("data", "info", "--dataset", "cifar10", "--path", temp[CifarReader.Cifar10Archive]);
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains(temp[CifarReader.Cifar10Archive], error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    /// <summary>Count, pixel mean and first-image hash computed directly from raw IDX bytes (16-byte header, 28×28).</summary>
    private static void AssertPixelFacts(JsonElement split, byte[] idx)
    {
        var pixels = idx.AsSpan(16);
        Assert.Equal(pixels.Length / 784, split.GetProperty("count").GetInt32());
        double sum = 0;
        foreach (byte b in pixels)
        {
            sum += b;
        }
        Assert.Equal(sum / pixels.Length, split.GetProperty("pixel_mean").GetDouble(), 1e-9);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pixels[..784])), split.GetProperty("first_image_sha256_hwc").GetString());
    }

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ContrastiveLab.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found above the test output folder");
    }
}
