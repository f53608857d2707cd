using System.Diagnostics;
using System.Text.RegularExpressions;
using ContrastiveLab.Cli;
using ContrastiveLab.IO;
using ContrastiveLab.Reports;
using ContrastiveLab.Tests.Cli;
using Xunit.Abstractions;

namespace ContrastiveLab.Tests.Reports;

public sealed partial class ReportCommandTests
{
    private const string Chromium = Prerequisites.Chromium;

    /// <summary>Runs the report command on the paper-shaped synthetic sweep, with embeddings for the Fig. 2 maps.</summary>
    private static (string Root, string Out) Build()
    {
        string root = SyntheticRuns.Sweep(reversed: false);
        SyntheticRuns.Write(root, "c-0.5-unfinished", "contrastive", 0.5, 0.5, 3, 0.2, finished: false);
        var random = new Random(3);
        foreach (string run in new[] { "c-0.07", "c-0.3" })
        {
            float[] e = Enumerable.Range(0, 40 * 4).Select(_ => (float)random.NextDouble()).ToArray();
            NpyWriter.Write(Path.Combine(root, run, "test_embeddings.npy"), NpyArray.Create(e, 40, 4));
            NpyWriter.Write(Path.Combine(root, run, "test_labels.npy"), NpyArray.Create(Enumerable.Range(0, 40).Select(i => (long)(i % 3)).ToArray(), 40));
        }
        string outDir = Path.Combine(root, "report");
        var (code, _, stderr) = CliRunner.Run("report", root, "--preset", "synthetic");
        Assert.True(code == 0, stderr);
        return (root, outDir);
    }

    [Fact]
    public void Writes_markdown_html_and_every_figure_with_its_data()
    {
        var (_, outDir) = Build();
        string md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        foreach (string id in new[] { "fig3_relative_penalty", "fig4_6_uniformity_vs_tau", "fig5_7_tolerance_vs_tau", "fig9_accuracy_vs_tau",
            "uniformity_tolerance_plane", "training_curves", "fig2_embeddings_tau_0.07", "fig2_embeddings_tau_0.3", "fig8_order_statistics_contrastive_tau_0.3" })
        {
            foreach (string ext in new[] { "png", "svg", "csv" })
            {
                string path = Path.Combine(outDir, "figures", $"{id}.{ext}");
                Assert.True(File.Exists(path) && new FileInfo(path).Length > 100, path);
            }
            Assert.Contains($"figures/{id}.png", md, StringComparison.Ordinal);
        }
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "figures", "fig9_accuracy_vs_tau.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        // The figure's CSV holds the inputs: contrastive at τ 0.3 had kNN 0.80.
        Assert.Contains("contrastive,0.3,80,1", File.ReadAllText(Path.Combine(outDir, "figures", "fig9_accuracy_vs_tau.csv")), StringComparison.Ordinal);
        Assert.Contains("Preset: synthetic", md, StringComparison.Ordinal);
        Assert.Contains("c-0.5-unfinished: no summary.json", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_one_holds_the_inputs_numbers_in_the_papers_layout()
    {
        var (_, outDir) = Build();
        string[] lines = File.ReadAllLines(Path.Combine(outDir, "report.md"));
        string header = lines.First(l => l.StartsWith("| metric | C 0.07", StringComparison.Ordinal));
        Assert.Equal("| metric | C 0.07 | C 0.3 | C 0.7 | C 1 | Simple | H 0.07 | H 0.3 | H 0.7 | H 1 | Single |", header);
        int at = Array.IndexOf(lines, header);
        // Inputs (see SyntheticRuns.Sweep): kNN .60 .80 .75 .70, simple .50, hard = contrastive + .02, single .32.
        // One seed per cell: the ± is the binomial standard error over the 50 test images, marked ᵇ.
        Assert.Equal("| acc (kNN top-1 %) | 60.00 ± 6.93ᵇ | 80.00 ± 5.66ᵇ | 75.00 ± 6.12ᵇ | 70.00 ± 6.48ᵇ | 50.00 ± 7.07ᵇ | 62.00 ± 6.86ᵇ | 82.00 ± 5.43ᵇ | 77.00 ± 5.95ᵇ | 72.00 ± 6.35ᵇ | 32.00 ± 6.60ᵇ |", lines[at + 2]);
        Assert.Equal("| −unif | 3.900 | 3.600 | 3.300 | 3.000 | 1.500 | 3.900 | 3.900 | 3.900 | 3.900 | 3.900 |", lines[at + 3]);
        Assert.Equal("| tol | 0.100 | 0.200 | 0.300 | 0.400 | 0.600 | 0.050 | 0.050 | 0.050 | 0.050 | 0.050 |", lines[at + 4]);
        Assert.Contains(lines, l => l.Contains("The paper has no numbers for `fashion-mnist-subset`", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Cells: mean ± standard error over seeds", StringComparison.Ordinal) && l.Contains("ᵇ: a single seed", StringComparison.Ordinal));
    }

    [Fact]
    public void On_a_paper_dataset_the_papers_numbers_stand_beside_ours()
    {
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "c", "contrastive", 0.3, 0.8, 3.5, 0.2, dataset: "cifar10", linear: 0.84);
        var report = ReportBuilder.Build(new ReportInputs(RunFolderReader.ReadAll(root), [], [], null));
        Assert.Equal(AccuracyKind.Linear, report.Accuracy);
        string[] lines = report.Markdown.Split('\n');
        Assert.Contains("| acc (linear top-1 %) | — | 84.00 ± 5.18ᵇ | — |", report.Markdown, StringComparison.Ordinal);
        Assert.Contains("| kNN top-1 % | — | 80.00 ± 5.66ᵇ | — |", report.Markdown, StringComparison.Ordinal);
        Assert.Contains("| kNN % | kNN backbone % | linear % |", report.Markdown, StringComparison.Ordinal);
        Assert.Contains("| 80.00 | 85.00 | 84.00 |", report.Markdown, StringComparison.Ordinal); // the run's kNN on head and backbone, linear
        Assert.StartsWith("| paper acc (linear %) | 79.75 | 83.27 | 82.69 | 82.21 | 74.83 |", lines.First(l => l.StartsWith("| paper acc", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Runs_that_differ_in_more_than_loss_tau_and_seed_are_never_pooled()
    {
        // Same loss and τ, but 3 epochs on 10 images per class vs 2 epochs on 50: two tables, not one cell.
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "a", "contrastive", 0.2, 0.56, 3.5, 0.3);
        SyntheticRuns.Write(root, "a2", "contrastive", 0.2, 0.58, 3.5, 0.3, seed: 2);
        string other = SyntheticRuns.Write(root, "b", "contrastive", 0.2, 0.34, 3.1, 0.4);
        string config = Path.Combine(other, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"epochs\": 3", "\"epochs\": 2").Replace("\"train_per_class\": 10", "\"train_per_class\": 50"));
        var report = ReportBuilder.Build(new ReportInputs(RunFolderReader.ReadAll(root), [], [], null));
        string md = report.Markdown;
        Assert.Contains("Not pooled: the runs of `fashion-mnist-subset` differ in epochs, train_per_class", md, StringComparison.Ordinal);
        Assert.Contains("### Dataset `fashion-mnist-subset` (epochs=3, train_per_class=10)", md, StringComparison.Ordinal);
        Assert.Contains("### Dataset `fashion-mnist-subset` (epochs=2, train_per_class=50)", md, StringComparison.Ordinal);
        Assert.Contains("| acc (kNN top-1 %) | 57.00 ± 1.00 |", md, StringComparison.Ordinal); // the two seeds of the larger group
        Assert.Contains("| acc (kNN top-1 %) | 34.00 ± ", md, StringComparison.Ordinal);
        Assert.DoesNotContain("45.", md.Split("## The paper's claims")[0], StringComparison.Ordinal);
        Assert.Contains("claims and figures use dataset `fashion-mnist-subset` (epochs=3, train_per_class=10) (2 runs)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Hard_loss_runs_at_another_K_or_alpha_are_a_setting_of_their_own_not_another_seed()
    {
        // Two seeds of the hard loss at α = 0.0819 and one at K = 4095, all at τ = 1: pooled, the cell would read as three
        // seeds of one setting (62.00 ± 6.00); apart, each setting has its own table, and the claims use the larger.
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "c1", "contrastive", 1, 0.60, 3.5, 0.3);
        SyntheticRuns.Write(root, "c2", "contrastive", 1, 0.62, 3.5, 0.3, seed: 2);
        foreach (var (name, knn, seed, setting) in new[] { ("h1", 0.56, 1L, "\"hard_alpha\": 0.0819"), ("h2", 0.58, 2L, "\"hard_alpha\": 0.0819"), ("k1", 0.72, 1L, "\"hard_k\": 4095") })
        {
            string dir = SyntheticRuns.Write(root, name, "hard", 1, knn, 3.0, 0.3, seed: seed);
            string config = Path.Combine(dir, "config.json");
            File.WriteAllText(config, File.ReadAllText(config).Replace("\"hard_k\": null", setting.StartsWith("\"hard_k", StringComparison.Ordinal) ? setting : "\"hard_k\": null, " + setting));
        }
        string md = ReportBuilder.Build(new ReportInputs(RunFolderReader.ReadAll(root), [], [], null)).Markdown;
        Assert.Contains("Not pooled: the runs of `fashion-mnist-subset` differ in hard_alpha, hard_k", md, StringComparison.Ordinal);
        Assert.Contains("### Dataset `fashion-mnist-subset` (hard_alpha=0.0819, hard_k=null)", md, StringComparison.Ordinal);
        Assert.Contains("### Dataset `fashion-mnist-subset` (hard_alpha=null, hard_k=4095)", md, StringComparison.Ordinal);
        Assert.Contains("57.00 ± 1.00", md, StringComparison.Ordinal); // the two α seeds
        Assert.Contains("72.00", md, StringComparison.Ordinal);         // the K run, alone
        Assert.DoesNotContain("62.00 ± 6.00", md, StringComparison.Ordinal);
        Assert.Contains("claims and figures use dataset `fashion-mnist-subset` (hard_alpha=0.0819, hard_k=null) (4 runs)", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_is_self_contained()
    {
        var (_, outDir) = Build();
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.True(Regex.Matches(html, "src=\"data:image/png;base64,").Count >= 9);
    }

    [Fact]
    public void A_partially_finished_sweep_reports_what_it_has_and_names_every_run_missing_unfinished_or_not_started()
    {
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "c-0.2", "contrastive", 0.2, 0.7, 3.5, 0.3);
        SyntheticRuns.Write(root, "c-0.5", "contrastive", 0.5, 0.6, 3.0, 0.4, finished: false);
        Directory.CreateDirectory(Path.Combine(root, "sweeps"));
        File.WriteAllText(Path.Combine(root, "sweeps", "grid.json"), """{ "name": "grid", "runs": ["c-0.2", "c-0.5", "c-1.0", "../outside"] }""");

        var (code, stdout, stderr) = CliRunner.Run("report", root);
        Assert.True(code == 0, stderr);
        Assert.Contains("missing: 2 runs not in the report (1 not started, 1 unfinished or unreadable): c-0.5, c-1.0", stdout, StringComparison.Ordinal);
        string md = File.ReadAllText(Path.Combine(root, "report", "report.md"));
        Assert.Contains("1 finished run;", md, StringComparison.Ordinal);
        Assert.Contains("c-0.5: no summary.json", md, StringComparison.Ordinal);
        Assert.Contains("c-1.0: not started: listed by sweep grid", md, StringComparison.Ordinal);
        Assert.DoesNotContain("../outside", md, StringComparison.Ordinal);
        Assert.DoesNotContain("outside: ", md, StringComparison.Ordinal);

        // Once every listed run has finished, nothing is missing.
        SyntheticRuns.Write(root, "c-0.5", "contrastive", 0.5, 0.6, 3.0, 0.4);
        SyntheticRuns.Write(root, "c-1.0", "contrastive", 1.0, 0.5, 2.5, 0.5);
        var complete = CliRunner.Run("report", root);
        Assert.True(complete.ExitCode == 0, complete.Stderr);
        Assert.DoesNotContain("missing:", complete.Stdout, StringComparison.Ordinal);
        Assert.Contains("None: every run folder found has finished.", File.ReadAllText(Path.Combine(root, "report", "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void No_finished_run_is_a_one_line_usage_error()
    {
        string root = SyntheticRuns.NewRoot();
        SyntheticRuns.Write(root, "running", "contrastive", 0.5, 0.5, 3, 0.2, finished: false);
        var (code, _, stderr) = CliRunner.Run("report", root);
        Assert.Equal(CliApp.UsageExitCode, code);
        Assert.Contains("no finished run folder", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal(CliApp.UsageExitCode, CliRunner.Run("report", Path.Combine(root, "nope")).ExitCode);
    }

    [SkippableFact]
    public async Task Renders_in_headless_chromium()
    {
        Prerequisites.HeadlessChromium();
        var (root, outDir) = Build();
        string profile = Path.Combine(root, "chromium-profile");
        string shot = Path.Combine(root, "screenshot.png");
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (string arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", $"--screenshot={shot}", "--window-size=1200,3000",
            new Uri(Path.Combine(outDir, "report.html")).AbsoluteUri })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        string said = await stderrTask;
        Assert.True(File.Exists(shot), "no screenshot; chromium said: " + said);
        using var bitmap = SkiaSharp.SKBitmap.Decode(shot);
        Assert.Equal(1200, bitmap.Width);
        // Not blank: many distinct colours (text, tables, embedded figures).
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 7)
        {
            for (int x = 0; x < bitmap.Width; x += 7)
            {
                colours.Add((uint)bitmap.GetPixel(x, y));
            }
        }
        Assert.True(colours.Count > 50, $"only {colours.Count} distinct colours in the screenshot");
    }

    [GeneratedRegex("(src|href)\\s*=\\s*[\"']?\\s*(https?:|//)", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
