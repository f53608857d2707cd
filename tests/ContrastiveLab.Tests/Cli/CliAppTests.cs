using ContrastiveLab.Training;
namespace ContrastiveLab.Tests.Cli;

public class CliAppTests
{
    [Theory]
    [InlineData("train", "--epochs", "abc")]
    [InlineData("train", "--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("--device", "tpu")]
    public void Parse_errors_are_one_line_with_exit_code_2(params string[] args)
    {
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("error: --epochs abc: expected a whole number", "train", "--epochs", "abc")]
    [InlineData("error: --lr fast: expected a number", "train", "--lr", "fast")]
    [InlineData("error: --threads -1: expected 0 (all cores) or a positive count", "--threads", "-1", "train")]
    public void Parse_errors_say_what_the_value_should_be_without_dotnet_type_names(string expected, params string[] args)
    {
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal(expected, err.TrimEnd());
    }

    [Theory]
    [InlineData("error: unknown command 'trian' (did you mean 'train'?); see contrastive --help", "trian")]
    [InlineData("error: unknown option '--epoch' for contrastive train (did you mean '--epochs'?); see contrastive train --help", "train", "--epoch", "1")]
    [InlineData("error: unknown option '--thraeds' for contrastive train (did you mean '--threads'?); see contrastive train --help", "--thraeds", "2", "train")]
    [InlineData("error: unknown command 'linaer' for contrastive eval (did you mean 'linear'?); see contrastive eval --help", "eval", "linaer")]
    [InlineData("error: unexpected argument 'extra' for contrastive sweep status; see contrastive sweep status --help", "sweep", "status", "r", "extra")]
    public void An_unknown_command_or_option_is_named_with_the_nearest_known_one(string expected, params string[] args)
    {
        var (code, _, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal(expected, err.TrimEnd());
    }

    [Fact]
    public void Train_help_shows_each_config_options_default_from_the_config_itself()
    {
        var defaults = new ContrastiveLab.Training.TrainConfig();
        var (code, stdout, _) = CliRunner.Run("train", "--help");
        Assert.Equal(0, code);
        string Line(string option) => stdout.Split('\n').Single(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        Assert.EndsWith($"(default {defaults.Epochs})", Line("--epochs").TrimEnd());
        Assert.EndsWith($"(default {defaults.BatchSize})", Line("--batch-size").TrimEnd());
        Assert.EndsWith($"(default {defaults.Model})", Line("--model").TrimEnd());
        Assert.EndsWith($"(default {defaults.Lr.ToString(System.Globalization.CultureInfo.InvariantCulture)})", Line("--lr").TrimEnd());
    }

    [Fact]
    public void No_arguments_print_the_help_and_exit_2()
    {
        var (code, stdout, _) = CliRunner.Run();
        Assert.Equal(2, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains("reproduce", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_terminal_progress_text_has_no_eta_of_its_own_and_keeps_the_last_evaluated_knn()
    {
        var text = new ContrastiveLab.Cli.ProgressText();
        var step = new TrainProgress(1, 3, 5, 10, 2.5, 800, null, TimeSpan.FromSeconds(30), false);
        string first = text.Next(step);
        Assert.Equal("epoch 1/3 loss 2.5000 800 img/s", first); // no ETA (the display's column has it), no kNN yet
        text.Next(step with { Step = 10, EpochFinished = true, KnnTop1 = null }); // epoch 1 not evaluated
        Assert.DoesNotContain("kNN", text.Next(step with { Epoch = 2, Step = 1 }));
        text.Next(step with { Epoch = 2, Step = 10, EpochFinished = true, KnnTop1 = 0.6543 });
        Assert.EndsWith("(kNN 65.4% after epoch 2)", text.Next(step with { Epoch = 3, Step = 2 }).Replace(" %", "%", StringComparison.Ordinal));

        var summary = new System.Text.Json.Nodes.JsonObject { ["knn_top1"] = 0.71234 };
        Assert.StartsWith("finished: kNN top-1 71.23", ContrastiveLab.Cli.TrainCommand.FinishedLine(summary, 1));
        Assert.EndsWith("after 1 epoch", ContrastiveLab.Cli.TrainCommand.FinishedLine(summary, 1));
        Assert.Null(ContrastiveLab.Cli.TrainCommand.FinishedLine(null, 3));
    }

    [Fact]
    public void Print_config_shows_the_resolved_config_and_creates_nothing()
    {
        string root = Path.Combine(Path.GetTempPath(), "cl-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            string file = Path.Combine(root, "base.json");
            File.WriteAllText(file, """{ "loss": "hard", "tau": 0.5, "epochs": 7 }""");
            string outDir = Path.Combine(root, "run");
            var (code, stdout, err) = CliRunner.Run("train", "--config", file, "--epochs", "3", "--eval-every", "2", "--path", "data.idx",
                "--out", outDir, "--print-config");
            Assert.True(code == 0, err);
            // The file's values, the options over them, and the defaults for the rest: what the run would record.
            var config = TrainConfig.FromJson(stdout);
            Assert.Equal(("hard", 0.5, 3, 2, "data.idx"), (config.Loss, config.Tau, config.Epochs, config.EvalEvery, config.DataPath));
            Assert.Equal(new TrainConfig().BatchSize, config.BatchSize);
            Assert.False(Directory.Exists(outDir));

            var (badCode, _, badErr) = CliRunner.Run("train", "--eval-every", "0", "--print-config");
            Assert.Equal(2, badCode);
            Assert.Contains("eval", badErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_model_name_that_begins_a_known_one_suggests_that_one()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "cl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = CliRunner.Run("train", "--model", "resnet18", "--out", outDir);
        Assert.Equal(2, code);
        Assert.StartsWith("error: model = 'resnet18' is not known (did you mean 'resnet18-cifar'?)", err);
    }

    [Fact]
    public void An_out_of_range_option_does_not_show_the_dotnet_parameter_suffix()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "cl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = CliRunner.Run("train", "--tau", "-1", "--out", outDir);
        Assert.Equal(2, code);
        Assert.Equal("error: tau = -1 is out of range; allowed: 0.001 to 1000", err.TrimEnd());
    }

    [Theory]
    [InlineData("train", "--tau", "0", "error: tau = 0 is out of range")]
    [InlineData("train", "--loss", "contrastiv", "error: loss = 'contrastiv' is not known")]
    [InlineData("sweep", "--preset", "cpu-quik", "error: unknown preset 'cpu-quik' (did you mean 'cpu-quick'?)")]
    public void Bad_training_options_fail_before_any_work_naming_the_option(string a, string b, string c, string expected)
    {
        string outDir = Path.Combine(Path.GetTempPath(), "cl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = CliRunner.Run(a, b, c, "--out", outDir);
        Assert.Equal(2, code);
        Assert.StartsWith(expected, err);
    }

    [Fact]
    public void A_bad_data_path_names_the_path()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "cl-cli-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = CliRunner.Run("train", "--dataset", "cifar10", "--data-path", "/nonexistent/cifar", "--out", outDir);
        Assert.Equal(2, code);
        Assert.StartsWith("error: /nonexistent/cifar: no such file or folder", err);
    }
}
