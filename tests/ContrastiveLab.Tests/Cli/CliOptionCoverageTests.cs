using System.Text.Json.Nodes;
using ContrastiveLab.Augmentation;
using ContrastiveLab.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Cli;

/// <summary>
/// Every key of TrainConfig is a <c>train</c> option, and every such option reaches the config a run would record: a
/// key added to TrainConfig without an option (or with an option that is not applied) fails here.
/// </summary>
public sealed class CliOptionCoverageTests
{
    // Keys that may have no `train` option, each with its reason. None today.
    private static readonly Dictionary<string, string> WithoutOption = new(StringComparer.Ordinal);

    [Fact]
    public void Every_config_key_has_a_train_option_or_a_stated_reason()
    {
        var options = TrainCommand.Build().Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet(StringComparer.Ordinal);
        var missing = TrainConfig.JsonKeys.Where(k => !options.Contains("--" + k.Replace('_', '-')) && !WithoutOption.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "config keys without a train option: " + string.Join(", ", missing));
        var stale = WithoutOption.Keys.Where(k => options.Contains("--" + k.Replace('_', '-'))).ToList();
        Assert.True(stale.Count == 0, "keys listed as having no option but which have one: " + string.Join(", ", stale));
    }

    [Fact]
    public void Each_option_sets_its_key_in_the_printed_config()
    {
        var defaults = JsonNode.Parse(TrainConfig.ToJson(new TrainConfig()))!.AsObject();
        string outDir = Path.Combine(Path.GetTempPath(), "cl-options-" + Guid.NewGuid().ToString("N"));
        var strings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["dataset"] = "cifar10", ["data_path"] = "/data/somewhere", ["data_dir"] = "/data", ["model"] = "resnet18-cifar", ["head"] = "mlp",
            ["negatives"] = "queue", ["loss"] = "hard", ["schedule"] = "step", ["bank_init"] = "encoder", ["precision"] = "bf16", ["augmentation"] = AugmentationPresets.All.Keys.Last(),
        };
        foreach (string key in TrainConfig.JsonKeys)
        {
            var before = defaults[key];
            string value = strings.TryGetValue(key, out var s) ? s : before switch
            {
                // Not written at its default (skip_bad_images): a bool is false, anything else null.
                null => TrainConfig.PropertyOf(key).PropertyType == typeof(bool) ? "true" : "5",
                JsonValue v when v.TryGetValue(out bool b) => (!b).ToString().ToLowerInvariant(),
                JsonValue v when v.TryGetValue(out long n) => (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                JsonValue v => (v.GetValue<double>() / 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                var other => throw new InvalidOperationException($"{key}: no sample value for {other.ToJsonString()}"),
            };
            if (key == "hard_alpha")
            {
                value = "0.25";
            }
            var (code, stdout, stderr) = CliRunner.Run("train", "--print-config", "--out", outDir, "--" + key.Replace('_', '-'), value);
            Assert.True(code == 0, $"--{key.Replace('_', '-')} {value}: exit {code}: {stderr}");
            var printed = JsonNode.Parse(stdout)!.AsObject();
            Assert.False(JsonNode.DeepEquals(before, printed[key]), $"--{key.Replace('_', '-')} {value} left {key} at {before?.ToJsonString() ?? "null"}");
        }
        Assert.False(Directory.Exists(outDir), "--print-config created the run folder");
    }
}
