using System.Text.Json.Nodes;
using ContrastiveLab.Sweeps;
using ContrastiveLab.Tests.Cli;
using ContrastiveLab.Training;

namespace ContrastiveLab.Tests.Sweeps;

public sealed class SweepTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cl-sweep-" + Guid.NewGuid().ToString("N"));

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public void Every_preset_parses_and_expands_to_valid_distinct_runs()
    {
        Assert.Contains("cpu-quick", SweepPresets.Names);
        // Every file of presets/ is embedded and known by its name, and nothing else is.
        var files = Directory.GetFiles(Path.Combine(CliRunner.RepositoryRoot(), "presets"), "*.json").Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(files.Order(StringComparer.Ordinal), SweepPresets.Names.Order(StringComparer.Ordinal));
        // The default and its memory-bank variant train the same grid and seeds; only the negative source differs.
        var quick = SweepPresets.Get("cpu-quick").Expand();
        var bank = SweepPresets.Get("cpu-quick-bank").Expand();
        Assert.Equal(12, quick.Count);
        Assert.All(quick, r => Assert.Equal("in-batch", r.Config.Negatives));
        Assert.All(bank, r => Assert.Equal(("memory-bank", "encoder"), (r.Config.Negatives, r.Config.BankInit)));
        Assert.Equal(quick.Select(r => (r.Config.Loss, r.Config.Tau, r.Config.Seed)), bank.Select(r => (r.Config.Loss, r.Config.Tau, r.Config.Seed)));
        foreach (string name in SweepPresets.Names)
        {
            var sweep = SweepPresets.Get(name);
            var runs = sweep.Expand();
            Assert.NotEmpty(runs);
            Assert.Equal(runs.Count, runs.Select(r => r.Name).Distinct().Count());
            Assert.False(string.IsNullOrWhiteSpace(sweep.Follows), $"{name} must say what it follows");
        }
        // The Table 1 grid: contrastive and hard at four τ, simple, hard-simple.
        var table1 = SweepPresets.Get("paper-cifar10").Expand();
        Assert.Equal(10, table1.Count);
        Assert.Equal(4, table1.Count(r => r.Config.Loss == "hard"));
        Assert.All(table1, r => Assert.Equal((200, 128, 0.03, "step"), (r.Config.Epochs, r.Config.BatchSize, r.Config.Lr, r.Config.Schedule)));
        Assert.Equal(24, SweepPresets.Get("paper-svhn-sweep").Expand().Count);
    }

    [Theory]
    [InlineData("paper-cifar10", "cifar-10-binary.tar.gz")]
    [InlineData("paper-cifar100", "cifar-100-binary.tar.gz")]
    [InlineData("paper-svhn", "")]
    [InlineData("paper-imagenet100", "imagenet100")]
    public void Paper_presets_start_correctly_on_fixture_data(string preset, string fixture)
    {
        var overrides = new JsonObject
        {
            ["data_path"] = Fixture(fixture),
            ["epochs"] = 1,
            ["max_steps"] = 1,
            ["batch_size"] = 2,
            ["diagnostic_anchors"] = 3,
            ["knn_k"] = 3,
            ["workers"] = 2,
        };
        var runs = SweepPresets.Get(preset).Expand(preset, overrides);
        foreach (var run in new[] { runs.First(r => r.Config.Loss == "contrastive"), runs.First(r => r.Config.Loss == "hard") })
        {
            var summary = Trainer.Run(run.Config, Path.Combine(_root, run.Name), new TrainRunOptions { Threads = 2 });
            Assert.Equal(1, summary["steps"]!.GetValue<long>());
            Assert.True(double.IsFinite(summary["final"]!["loss"]!.GetValue<double>()));
        }
    }

    [Fact]
    public void A_second_sweep_skips_finished_runs_and_a_changed_sweep_only_trains_the_new_ones()
    {
        const string json = """
            {
              // two tiny runs
              "name": "tiny",
              "base": { "train_per_class": 10, "batch_size": 25, "epochs": 1, "diagnostic_anchors": 20, "knn_k": 5, "workers": 2, },
              "grid": [ { "loss": "contrastive", "tau": [0.2, 0.5] } ],
            }
            """;
        var sweep = SweepFile.Parse(json, "tiny.json");
        var first = SweepRunner.Run(sweep, _root, new TrainRunOptions { Threads = 2 });
        Assert.Equal([SweepRunner.RunOutcome.Finished, SweepRunner.RunOutcome.Finished], first.Select(o => o.State));
        var second = SweepRunner.Run(sweep, _root, new TrainRunOptions { Threads = 2 });
        Assert.Equal([SweepRunner.RunOutcome.Skipped, SweepRunner.RunOutcome.Skipped], second.Select(o => o.State));
        var wider = SweepFile.Parse(json.Replace("[0.2, 0.5]", "[0.2, 0.5, 1.0]", StringComparison.Ordinal), "tiny.json");
        var third = SweepRunner.Run(wider, _root, new TrainRunOptions { Threads = 2 });
        Assert.Equal([SweepRunner.RunOutcome.Skipped, SweepRunner.RunOutcome.Skipped, SweepRunner.RunOutcome.Finished], third.Select(o => o.State));
        Assert.True(File.Exists(Path.Combine(_root, "sweeps", "tiny.json")));
    }

    [Theory]
    [InlineData("""{ "nmae": "x" }""", "did you mean 'name'")]
    [InlineData("""{ "base": { "tua": 0.2 } }""", "did you mean 'tau'")]
    [InlineData("""{ "grid": [ { "tau": [] } ] }""", "empty list")]
    [InlineData("""{ "grid": [ { "tau": -1 } ] }""", "tau")]
    [InlineData("""{ "grid": [ { "loss": "contrastiv" } ] }""", "contrastive")]
    [InlineData("""{ "grid": 3 }""", "list of objects")]
    [InlineData("""{ "base": """, "not valid JSON")]
    public void Bad_sweep_files_fail_before_any_work_naming_the_problem(string json, string expected)
    {
        var e = Assert.Throws<SweepException>(() => SweepFile.Parse(json, "bad.json"));
        Assert.StartsWith("bad.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
