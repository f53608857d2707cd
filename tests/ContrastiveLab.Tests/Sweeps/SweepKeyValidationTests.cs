using System.Reflection;
using ContrastiveLab.Sweeps;

namespace ContrastiveLab.Tests.Sweeps;

/// <summary>
/// Every top-level sweep key refuses a bad value with a message naming the file and the key; the keys are read from
/// <see cref="SweepFile"/> itself, so a new key without an entry here fails. Config keys inside base and grid are
/// covered by the config validation tests (a sweep validates every run it expands to).
/// </summary>
public class SweepKeyValidationTests
{
    private static readonly Dictionary<string, string[]> BadValues = new()
    {
        ["name"] = ["5", "\"../outside\"", "\"a/b\"", "\"..\"", "\"\"", "[\"x\"]"],
        ["description"] = ["5", "{}"],
        ["follows"] = ["true", "[1]"],
        ["base"] = ["5", "\"epochs\"", "[{\"epochs\": 1}]", "{\"epoch\": 1}", "{\"epochs\": -1}"],
        ["grid"] = ["5", "{\"loss\": \"simple\"}", "[5]", "[{\"tua\": 0.2}]", "[{\"tau\": []}]", "[{\"tau\": [0.2, -1]}]"],
        ["seeds"] = ["\"1\"", "5", "[1.5]", "[\"a\"]", "[-1]", "[null]"],
    };

    private static IReadOnlyList<string> TopLevelKeys =>
        (string[])typeof(SweepFile).GetField("TopLevelKeys", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    public static TheoryData<string> Keys => [.. TopLevelKeys];

    [Fact]
    public void Every_sweep_key_has_bad_values_listed_here() =>
        Assert.Equal(TopLevelKeys.Order(), BadValues.Keys.Order());

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_bad_value_is_refused_naming_the_file_and_the_key(string key)
    {
        foreach (string value in BadValues[key])
        {
            string json = $"{{\"base\": {{\"epochs\": 1}}, \"{key}\": {value}}}".Replace("\"base\": {\"epochs\": 1}, \"base\"", "\"base\"", StringComparison.Ordinal);
            var e = Assert.Throws<SweepException>(() => SweepFile.Parse(json, "bad-sweep.json"));
            Assert.StartsWith("bad-sweep.json: ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            bool namesKey = e.Message.Contains($"'{key}'", StringComparison.Ordinal)
                || (key is "base" or "grid" && (e.Message.Contains($"in {key}", StringComparison.Ordinal) || e.Message.Contains("grid key", StringComparison.Ordinal) || e.Message.Contains("is invalid", StringComparison.Ordinal)));
            Assert.True(namesKey, $"{key} = {value}: {e.Message}");
        }
    }

    [Fact]
    public void A_grid_of_more_than_the_run_limit_is_refused_before_expanding()
    {
        string values = "[" + string.Join(", ", Enumerable.Range(1, 100)) + "]";
        string json = $"{{\"grid\": [{{\"epochs\": {values}, \"seed\": {values}, \"knn_k\": {values}}}]}}";
        var e = Assert.Throws<SweepException>(() => SweepFile.Parse(json, "big.json"));
        Assert.Contains($"more than {SweepFile.MaxRuns} runs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sweep_named_by_its_file_still_gets_one_folder_name()
    {
        Assert.Equal("my-sweep", SweepFile.Parse("{}", "dir/my-sweep.json").Name);
    }
}
