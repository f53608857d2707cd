using ContrastiveLab.Runtime;
using System.Text.Json.Nodes;
using ContrastiveLab.Bench;

namespace ContrastiveLab.Tests.Bench;

/// <summary>The JSON shape of <c>contrastive bench --json</c>, the median and the ratio orientation.</summary>
public sealed class BenchJsonTests
{
    private static readonly BenchResult Gemm = new("gemm", "", new Dictionary<string, double> { ["gflops"] = 120.5 }, "");
    private static readonly BenchResult Loss = new("loss-bank", "m=16384",
        new Dictionary<string, double> { ["ms"] = 41.25, ["peak_rss_mb"] = double.NaN }, "peak note");

    [Fact]
    public void Json_is_a_list_of_objects_with_name_variant_framework_figures_and_note()
    {
        var array = Assert.IsType<JsonArray>(JsonNode.Parse(BenchJson.Write([Gemm, Loss], "torchsharp 0.107")));
        Assert.Equal(2, array.Count);
        var loss = array[1]!.AsObject();
        Assert.Equal(["name", "variant", "framework", "ms", "peak_rss_mb", "note"], loss.Select(p => p.Key));
        Assert.Equal("loss-bank", loss["name"]!.GetValue<string>());
        Assert.Equal("m=16384", loss["variant"]!.GetValue<string>());
        Assert.Equal("torchsharp 0.107", loss["framework"]!.GetValue<string>());
        Assert.Equal(41.25, loss["ms"]!.GetValue<double>());
        Assert.Null(loss["peak_rss_mb"]); // non-finite figures become null, never invalid JSON
    }

    [Fact]
    public void PyTorch_results_follow_in_the_same_list_and_read_back()
    {
        string text = BenchJson.Write([Gemm], "torchsharp", [Gemm with { Figures = new Dictionary<string, double> { ["gflops"] = 150 } }]);
        var array = JsonNode.Parse(text)!.AsArray();
        Assert.Equal(["torchsharp", "pytorch"], array.Select(o => o!["framework"]!.GetValue<string>()));
        var back = BenchJson.Read(text);
        Assert.Equal([120.5, 150.0], back.Select(r => r.Figures["gflops"]));
        Assert.Equal("gemm", back[1].Key);
    }

    [Fact]
    public void Reading_rejects_what_is_not_a_list_of_named_objects()
    {
        Assert.Throws<FormatException>(() => BenchJson.Read("{\"name\": \"gemm\"}"));
        Assert.Throws<FormatException>(() => BenchJson.Read("[{\"gflops\": 1}]"));
        Assert.Throws<FormatException>(() => BenchJson.Read("not json"));
    }

    [Fact]
    public void Median_of_odd_and_even_counts()
    {
        Assert.Equal(3.0, BenchClock.Median([5, 1, 3]));
        Assert.Equal(2.5, BenchClock.Median([4, 1, 3, 2]));
        Assert.Throws<ArgumentException>(() => BenchClock.Median([]));
    }

    [Theory]
    [InlineData("images_per_s", 200, 100, 2.0)]
    [InlineData("gflops", 50, 100, 0.5)]
    [InlineData("ms", 20, 40, 2.0)]
    [InlineData("seconds", 4, 2, 0.5)]
    [InlineData("peak_rss_mb", 1000, 4000, 4.0)]
    public void Ratio_above_one_means_TorchSharp_does_better(string unit, double ours, double theirs, double expected) =>
        Assert.Equal(expected, BenchRatio.Better(unit, ours, theirs), 12);

    [Fact]
    public void Ratio_is_undefined_for_unknown_units_and_non_positive_figures()
    {
        Assert.True(double.IsNaN(BenchRatio.Better("baseline_rss_mb", 1, 1)));
        Assert.True(double.IsNaN(BenchRatio.Better("ms", 0, 1)));
    }

    [Fact]
    public void Peak_resident_memory_is_at_least_the_current_one()
    {
        double peak = ProcessMemory.PeakResidentMb(), now = ProcessMemory.ResidentMb();
        Assert.True(now > 0);
        Assert.True(peak >= now * 0.99, $"peak {peak} MB below current {now} MB");
    }
}
