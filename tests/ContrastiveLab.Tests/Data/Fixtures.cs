using System.Text.Json;
using ContrastiveLab.Data;

namespace ContrastiveLab.Tests.Data;

/// <summary>Paths of the dataset fixtures copied next to the tests, their facts.json, and scratch folders.</summary>
internal static class Fixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string File(string name) => Path.Combine(Root, name);

    public static JsonElement Facts(string dataset, string split)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File("facts.json")));
        return doc.RootElement.GetProperty(dataset).GetProperty(split).Clone();
    }

    /// <summary>A fresh empty folder under the temp directory, deleted when disposed.</summary>
    public static TempFolder Temp() => new();

    /// <summary>Asserts every fact facts.json lists for the split (keys it lacks are not checked).</summary>
    public static void AssertMatches(JsonElement expected, ImageSplit split)
    {
        var actual = SplitFacts.Of(split);
        Assert.Equal(expected.GetProperty("count").GetInt32(), actual.Count);
        var labelCounts = expected.GetProperty("label_counts").EnumerateObject()
            .ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetInt32());
        Assert.Equal(labelCounts, actual.LabelCounts.ToDictionary(kv => kv.Key, kv => kv.Value));
        if (expected.TryGetProperty("pixel_mean", out var mean))
        {
            Assert.Equal(mean.GetDouble(), actual.PixelMean, 1e-9);
        }
        if (expected.TryGetProperty("first_image_sha256_hwc", out var sha))
        {
            Assert.Equal(sha.GetString(), actual.FirstImageSha256Hwc);
        }
        if (expected.TryGetProperty("shape_chw", out var shape))
        {
            Assert.Equal(shape.EnumerateArray().Select(e => e.GetInt32()), actual.ShapeChw);
        }
        if (expected.TryGetProperty("classes", out var classes))
        {
            Assert.Equal(classes.EnumerateArray().Select(e => e.GetString()!), split.ClassNames);
        }
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("contrastivelab-data-").FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
