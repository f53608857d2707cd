using ContrastiveLab.Reports;

namespace ContrastiveLab.Tests.Reports;

public sealed class RunFolderReaderTests
{
    [Fact]
    public void Reads_the_files_the_trainer_writes()
    {
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "group/c-0.2", "contrastive", 0.2, 0.4123, 3.1, 0.25, linear: 81.5);
        var runs = RunFolderReader.ReadAll(root);
        var run = Assert.Single(runs.Runs);
        Assert.Equal("group/c-0.2", run.Name);
        Assert.Equal(0.2, run.Config.Tau);
        Assert.Equal(0.4123, run.Summary.KnnTop1);
        Assert.Equal(3.1, run.Summary.FinalValue("neg_uniformity"));
        Assert.Null(run.Summary.FinalValue("knn_bank_top1"));
        Assert.Equal(0.3, run.UntrainedKnnTop1);
        Assert.Equal(0.815, run.Linear!.BestTop1, 12); // percent in linear.json is read as a fraction
        Assert.Equal(20, run.OrderStatistics!.Rows.Count);
        Assert.Equal("testbox", run.Environment!.Machine);
    }

    [Fact]
    public void A_report_on_one_run_folder_names_the_run_by_its_folder_and_has_its_class_names()
    {
        string root = SyntheticRuns.NewRoot();
        string dir = SyntheticRuns.Write(root, "my-run", "contrastive", 0.2, 0.5, 3, 0.2);
        string summaryFile = Path.Combine(dir, "summary.json");
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(summaryFile))!.AsObject();
        summary["class_names"] = new System.Text.Json.Nodes.JsonArray("T-shirt/top", "Trouser");
        File.WriteAllText(summaryFile, summary.ToJsonString());

        var run = Assert.Single(RunFolderReader.ReadAll(dir + "/").Runs);
        Assert.Equal("my-run", run.Name);
        Assert.Equal(["T-shirt/top", "Trouser"], run.Summary.ClassNames);
        var map = new EmbeddingMap(run.Name, 0.2, "PCA", [0, 1, 2], [0, 1, 2], [0, 1, 2]) { ClassNames = run.Summary.ClassNames };
        Assert.Equal(["T-shirt/top", "Trouser", "class 2"], map.Labels.Select(map.ClassName));
    }

    [Fact]
    public void The_tau_axis_never_runs_below_zero_and_centres_a_single_tau()
    {
        var single = new PlotCanvas("t", "τ", "y", "h");
        single.FitTauAxis([0.2]);
        var limits = single.Plot.Axes.GetLimits();
        Assert.Equal((0.0, 0.4), (limits.Left, limits.Right));

        var grid = new PlotCanvas("t", "τ", "y", "h");
        grid.FitTauAxis([0.07, 0.2, 1.0]);
        limits = grid.Plot.Axes.GetLimits();
        Assert.True(limits.Left >= 0 && limits.Left < 0.07 && limits.Right > 1.0, $"{limits.Left} … {limits.Right}");
    }

    [Fact]
    public void Unfinished_runs_are_listed_as_missing_never_as_complete()
    {
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "done", "contrastive", 0.2, 0.5, 3, 0.2);
        SyntheticRuns.Write(root, "running", "contrastive", 0.5, 0.5, 3, 0.2, finished: false);
        var runs = RunFolderReader.ReadAll(root);
        Assert.Equal("done", Assert.Single(runs.Runs).Name);
        var missing = Assert.Single(runs.Missing);
        Assert.Equal("running", missing.Name);
        Assert.Contains("summary.json", missing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_metrics_csv_is_one_clear_error_naming_the_file()
    {
        string root = SyntheticRuns.NewRoot();
        string dir = SyntheticRuns.Write(root, "bad", "contrastive", 0.2, 0.5, 3, 0.2);
        string metrics = Path.Combine(dir, "metrics.csv");
        File.WriteAllText(metrics, "epoch,knn_top1\n0,0.3\n1,abc\n");
        var e = Assert.Throws<RunFormatException>(() => RunFolderReader.ReadRun(dir));
        Assert.StartsWith(metrics + ": line 3, column 'knn_top1'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        File.WriteAllText(metrics, "epoch,knn_top1\n0,0.3,0.4\n");
        Assert.Contains("3 cells; the header has 2", Assert.Throws<RunFormatException>(() => RunFolderReader.ReadRun(dir)).Message, StringComparison.Ordinal);

        // A report skips it with the reason instead of failing.
        var runs = RunFolderReader.ReadAll(root);
        Assert.Empty(runs.Runs);
        Assert.Contains("metrics.csv", Assert.Single(runs.Missing).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_summary_without_its_final_metrics_is_an_error_naming_summary_json()
    {
        string root = SyntheticRuns.NewRoot();
        string dir = SyntheticRuns.Write(root, "bad", "contrastive", 0.2, 0.5, 3, 0.2);
        File.WriteAllText(Path.Combine(dir, "summary.json"), """{"knn_top1": 0.5}""");
        var e = Assert.Throws<RunFormatException>(() => RunFolderReader.ReadRun(dir));
        Assert.Equal(Path.Combine(dir, "summary.json"), e.Path);
    }
}
