using System.Text.Json.Nodes;
using ContrastiveLab.Cli;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Training;

/// <summary>
/// Every config key has a range: a value outside it, or of the wrong JSON type, is refused before any work starts with
/// a message naming the key and the value. The keys are enumerated from <see cref="TrainConfig"/> by reflection, so a
/// new option without an entry in <see cref="OutOfRange"/> (and a check in Validate) fails here.
/// </summary>
public sealed class ConfigValidationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl-config-").FullName;

    /// <summary>For each key, JSON values outside its range. A key whose every value of its type is valid says why instead.</summary>
    private static readonly Dictionary<string, string[]> OutOfRange = new()
    {
        ["dataset"] = ["\"no-such-dataset\"", "\"../../etc\""],
        ["data_path"] = ["\"\"", "\"a\\u0000b\""],
        ["data_dir"] = ["\"  \"", "\"x\\ny\""],
        ["train_per_class"] = ["0", "-5"],
        ["skip_bad_images"] = [],
        ["model"] = ["\"resnet1\""],
        ["head"] = ["\"conv\""],
        ["embedding_dim"] = ["0", "100000"],
        ["negatives"] = ["\"bank\""],
        ["loss"] = ["\"infonce\""],
        ["tau"] = ["0", "-0.2", "1e9"],
        ["hard_k"] = ["0", "-1"],
        ["hard_alpha"] = ["0", "1.5"],
        ["authors_variant"] = [],
        ["augmentation"] = ["\"cifar\""],
        ["epochs"] = ["-1", "1000000"],
        ["batch_size"] = ["1", "0", "100000"],
        ["lr"] = ["-0.1", "1e5"],
        ["momentum"] = ["1", "-0.5"],
        ["weight_decay"] = ["-1e-4", "2"],
        ["schedule"] = ["\"linear\""],
        ["warmup_epochs"] = ["-1", "31"],
        ["bank_momentum"] = ["1", "-0.1"],
        ["bank_init"] = ["\"zeros\""],
        ["queue_size"] = ["0", "100000000"],
        ["key_momentum"] = ["1.5", "-1"],
        ["seed"] = ["-1"],
        ["workers"] = ["-1", "1000"],
        ["checkpoint_every"] = ["0"],
        ["eval_every"] = ["0"],
        ["tensorboard_every"] = ["-1", "2000000"],
        ["diagnostic_anchors"] = ["1", "0"],
        ["knn_k"] = ["0"],
        ["knn_sigma"] = ["0", "1e5"],
        ["knn_backbone"] = [],
        ["precision"] = ["\"fp16\"", "\"BF16\""],
        ["max_steps"] = ["0", "-3"],
    };

    /// <summary>Keys with no out-of-range value: only their JSON type can be wrong (checked for every key below).</summary>
    private static readonly HashSet<string> NoRange = ["authors_variant", "knn_backbone", "skip_bad_images"];

    public static TheoryData<string> Keys => [.. TrainConfig.JsonKeys];

    [Fact]
    public void Every_config_key_has_out_of_range_values_listed_here()
    {
        Assert.Equal(TrainConfig.JsonKeys.Order(), OutOfRange.Keys.Order());
        foreach (var (key, values) in OutOfRange)
        {
            Assert.True(values.Length > 0 || NoRange.Contains(key), $"config key '{key}' lists no out-of-range value");
        }
    }

    [Fact]
    public void Skip_bad_images_is_written_only_when_set_so_existing_run_names_stay()
    {
        var plain = new TrainConfig();
        Assert.DoesNotContain("skip_bad_images", TrainConfig.ToJson(plain));
        Assert.Equal(SweepFile.RunName(plain), SweepFile.RunName(TrainConfig.FromJson("{\"skip_bad_images\": false}")));
        var skipping = TrainConfig.FromJson("{\"skip_bad_images\": true}");
        Assert.True(skipping.SkipBadImages);
        Assert.Contains("\"skip_bad_images\": true", TrainConfig.ToJson(skipping));
        Assert.NotEqual(SweepFile.RunName(plain), SweepFile.RunName(skipping));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void An_out_of_range_value_is_refused_naming_the_key_and_value(string key)
    {
        foreach (string value in OutOfRange.GetValueOrDefault(key, []))
        {
            string message = Refusal($"{{\"{key}\": {value}}}");
            Assert.True(Names(message, key), $"{key} = {value}: the message does not name the key: {message}");
            var node = JsonNode.Parse(value)!.AsValue();
            string shown = node.TryGetValue(out string? text) ? text : node.GetValue<double>().ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(shown.Any(char.IsControl) || shown.Trim().Length == 0 || message.Contains(shown, StringComparison.Ordinal),
                $"{key} = {value}: the message does not show the value: {message}");
            Assert.Contains("allowed", message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_value_of_the_wrong_type_is_refused_naming_the_key(string key)
    {
        var property = typeof(TrainConfig).GetProperties().Single(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == key);
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string[] wrong = type == typeof(string) ? ["12", "true", "[\"a\"]"] : type == typeof(bool) ? ["\"yes\"", "1", "null"] : ["\"ten\"", "true", "{}", "1e999"];
        if (type == typeof(int) || type == typeof(long))
        {
            wrong = [.. wrong, "1.5", "99999999999999999999"];
        }
        foreach (string value in wrong)
        {
            string message = Refusal($"{{\"{key}\": {value}}}");
            Assert.True(Names(message, key), $"{key} = {value}: the message does not name the key: {message}");
        }
    }

    [Fact]
    public void An_unknown_key_is_refused_with_the_closest_known_one()
    {
        Assert.Contains("unknown config key 'tua'; did you mean 'tau'?", Refusal("{\"tua\": 0.2}"), StringComparison.Ordinal);
        Assert.Contains("did you mean 'batch_size'?", Refusal("{\"batchsize\": 64}"), StringComparison.Ordinal);
        Assert.Contains("known keys:", Refusal("{\"completely_unrelated_words\": 1}"), StringComparison.Ordinal);
        Assert.Contains("given twice", Refusal("{\"tau\": 0.2, \"tau\": 0.5}"), StringComparison.Ordinal);
        Assert.Contains("one JSON object", Refusal("[1, 2]"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_unknown_key_is_refused_quickly_with_a_short_message()
    {
        string key = new('x', 200_000);
        string message = Refusal($"{{\"{key}\": 1}}");
        Assert.True(message.Length < 2000, $"message of {message.Length} characters");
    }

    [Fact]
    public void The_cli_refuses_a_bad_config_before_creating_the_run_folder()
    {
        string config = Path.Combine(_root, "bad.json");
        File.WriteAllText(config, "{\"epochs\": 3, \"tau\": -1}");
        string run = Path.Combine(_root, "run");
        var (code, _, stderr) = CliRunner.Run("train", "--config", config, "--out", run);
        Assert.Equal(2, code);
        Assert.StartsWith("error: tau = -1 is out of range; allowed: 0.001 to 1000", stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', stderr.Trim());
        Assert.False(Directory.Exists(run));

        File.WriteAllText(config, "{\"epoch\": 3}");
        (code, _, stderr) = CliRunner.Run("train", "--config", config, "--out", run);
        Assert.Equal(2, code);
        Assert.Equal($"error: {config}: unknown config key 'epoch'; did you mean 'epochs'?", stderr.Trim());
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Sweep_set_overrides_are_checked_like_config_keys()
    {
        var e = Assert.Throws<UserError>(() => SweepCommand.ParseOverrides(["tua=0.5"]));
        Assert.Contains("did you mean 'tau'?", e.Message, StringComparison.Ordinal);
        var sweep = SweepFile.Parse("{\"base\": {\"epochs\": 1}}", "s.json");
        var bad = Assert.Throws<SweepException>(() => sweep.Expand("s.json", SweepCommand.ParseOverrides(["seed=-4"])));
        Assert.Contains("seed = -4 is out of range", bad.Message, StringComparison.Ordinal);
    }

    /// <summary>The one-line refusal of a config file holding <paramref name="json"/>: from reading it or from Validate.</summary>
    private string Refusal(string json)
    {
        string path = Path.Combine(_root, "config.json");
        File.WriteAllText(path, json);
        try
        {
            TrainCommand.ReadConfig(path).Validate();
        }
        catch (UserError e)
        {
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            return e.Message;
        }
        catch (ArgumentException e)
        {
            Assert.DoesNotContain('\n', e.Message);
            return e.Message;
        }
        Assert.Fail($"accepted: {json}");
        return "";
    }

    /// <summary>Whether the message names the key in its config form (snake_case) or its CLI form (kebab-case).</summary>
    private static bool Names(string message, string key) =>
        message.Contains($"'{key}'", StringComparison.Ordinal) || message.StartsWith(key.Replace('_', '-') + " = ", StringComparison.Ordinal);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
