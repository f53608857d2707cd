using System.CommandLine;
using ContrastiveLab.Core.Metrics;
using ContrastiveLab.IO;
using ContrastiveLab.Reports;
using ContrastiveLab.RunFormat;
using static TorchSharp.torch;

namespace ContrastiveLab.Cli;

/// <summary>
/// <c>contrastive report RESULTS_DIR [--out DIR] [--preset NAME]</c>: reads every run folder under RESULTS_DIR and
/// writes report.md, a self-contained report.html and every figure as PNG, SVG and CSV.
/// </summary>
public static class ReportCommand
{
    /// <summary>Test embeddings drawn per Fig. 2 map (a seeded subset: more points only blur the picture).</summary>
    public const int MapPoints = 2000;

    /// <summary>The τ of Fig. 3 besides those of the runs (the paper's Table 1 columns).</summary>
    private static readonly double[] PenaltyTaus = [0.07, 0.2, 0.3, 0.7, 1.0];

    public static Command Build()
    {
        var results = new Argument<string>("RESULTS_DIR") { Description = "folder holding run folders (up to two levels down)" };
        var output = new Option<string?>("--out") { Description = "where to write the report (default RESULTS_DIR/report)" };
        var preset = new Option<string?>("--preset") { Description = "name of the sweep preset the runs came from, shown in the report" };
        var command = new Command("report", "Tables, figures and the paper's claims checked, from finished run folders.") { results, output, preset };
        command.SetAction(int (ParseResult parse) =>
        {
            var log = parse.InvocationConfiguration.Error;
            string root = parse.GetValue(results)!;
            string outDir = parse.GetValue(output) ?? Path.Combine(root, "report");
            var written = Run(root, outDir, parse.GetValue(preset), log, () => TorchSession.Start(parse, log));
            parse.InvocationConfiguration.Output.WriteLine($"report: {Path.Combine(outDir, "report.html")} ({written.Figures.Count} figures; claims: {string.Join(", ", written.Claims.Select(c => $"{c.Number} {c.Verdict.Words()}"))})");
            if (written.Missing.Count > 0)
            {
                int notStarted = written.Missing.Count(m => m.Reason.StartsWith("not started", StringComparison.Ordinal));
                parse.InvocationConfiguration.Output.WriteLine($"missing: {written.Missing.Count} runs not in the report ({notStarted} not started, {written.Missing.Count - notStarted} unfinished or unreadable): " +
                    string.Join(", ", written.Missing.Select(m => m.Name)));
            }
            return 0;
        });
        return command;
    }

    /// <summary>Reads the runs, computes the Fig. 2 and Fig. 3 data, builds the report and writes it atomically.</summary>
    /// <exception cref="UserError">No results folder, no finished run, or an unreadable embeddings file.</exception>
    internal static ReportOutput Run(string root, string outDir, string? preset, TextWriter log, Action startTorch)
    {
        if (!Directory.Exists(root))
        {
            throw new UserError($"{root}: no such folder");
        }
        var runs = RunFolderReader.ReadAll(root);
        foreach (var missing in runs.Missing.Where(m => m.Reason.StartsWith("unreadable", StringComparison.Ordinal)))
        {
            log.WriteLine($"warning: skipping {missing.Name}: {missing.Reason}");
        }
        if (runs.Runs.Count == 0)
        {
            throw new UserError($"{root}: no finished run folder (config.json + summary.json) up to two levels down ({runs.Missing.Count} unfinished or unreadable)");
        }
        startTorch(); // Fig. 3's curves and Fig. 2's projections are computed with libtorch.
        var taus = runs.Runs.Where(r => r.Config.Loss == "contrastive").Select(r => r.Config.Tau).Concat(PenaltyTaus).Select(t => Math.Round(t, 9)).Distinct().Order().ToArray();
        var curves = RelativePenalty.Curves(taus, points: 1000, seed: 1).Select(c => new PenaltyCurveSeries(c.Tau, c.Similarity, c.Penalty)).ToArray();
        var mapRuns = MapRuns(runs.Runs);
        var maps = mapRuns.Select(Map).ToArray();
        var report = ReportBuilder.Build(new ReportInputs(runs, curves, maps, preset));
        Directory.CreateDirectory(Path.Combine(outDir, "figures"));
        foreach (var (relative, content) in report.Files())
        {
            AtomicFile.WriteAllBytes(Path.Combine(outDir, relative), content);
        }
        return report;
    }

    /// <summary>The contrastive runs for Fig. 2: the smallest τ and the τ nearest 0.2 above it (the paper's pair), each with embeddings.</summary>
    private static List<RunRecord> MapRuns(IReadOnlyList<RunRecord> runs)
    {
        var candidates = runs.Where(r => r.Config.Loss == "contrastive" && File.Exists(Path.Combine(r.Directory, RunFiles.TestEmbeddings)) && File.Exists(Path.Combine(r.Directory, RunFiles.TestLabels)))
            .OrderBy(r => r.Config.Tau).ThenBy(r => r.Config.Seed).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }
        var smallest = candidates[0];
        var mid = candidates.Where(r => r.Config.Tau > smallest.Config.Tau).OrderBy(r => Math.Abs(r.Config.Tau - 0.2)).ThenBy(r => r.Config.Seed).FirstOrDefault();
        return mid is null ? [smallest] : [smallest, mid];
    }

    /// <summary>Projects a seeded subset of a run's test embeddings onto their top two principal components.</summary>
    private static EmbeddingMap Map(RunRecord run)
    {
        string embeddingsPath = Path.Combine(run.Directory, RunFiles.TestEmbeddings);
        string labelsPath = Path.Combine(run.Directory, RunFiles.TestLabels);
        using var scope = NewDisposeScope();
        Tensor embeddings, labels;
        try
        {
            embeddings = NpyReader.ReadTensor(embeddingsPath);
            labels = NpyReader.ReadTensor(labelsPath);
        }
        catch (InvalidDataException e)
        {
            throw new UserError(e.Message);
        }
        if (embeddings.dim() != 2 || labels.dim() != 1 || labels.shape[0] != embeddings.shape[0] || embeddings.shape[0] < 3)
        {
            throw new UserError($"{embeddingsPath}: expected (T, D) embeddings with T ≥ 3 and (T,) labels; got {string.Join('×', embeddings.shape)} and {string.Join('×', labels.shape)}");
        }
        if (embeddings.is_floating_point() && !isfinite(embeddings).all().item<bool>())
        {
            var first = logical_not(isfinite(embeddings)).nonzero()[0];
            throw new UserError($"{embeddingsPath}: row {first[0].item<long>()}, column {first[1].item<long>()} is not finite ({embeddings[first[0], first[1]].to_type(ScalarType.Float64).item<double>().ToString(System.Globalization.CultureInfo.InvariantCulture)}); the run's test embeddings are damaged");
        }
        long n = embeddings.shape[0];
        var take = randperm(n, generator: new Generator(0).manual_seed(1)).narrow(0, 0, Math.Min(n, MapPoints));
        var x = embeddings.index_select(0, take).to_type(ScalarType.Float64);
        var centred = x - x.mean([0], keepdim: true);
        var (_, vectors) = linalg.eigh(centred.T.mm(centred));
        // eigh sorts eigenvalues ascending: the last two columns are the top components.
        var projected = centred.mm(vectors.narrow(1, vectors.shape[1] - 2, 2).flip(1)).contiguous();
        double[] xy = projected.data<double>().ToArray();
        long[] y = labels.index_select(0, take).to_type(ScalarType.Int64).data<long>().ToArray();
        return new EmbeddingMap(run.Name, run.Config.Tau, "PCA (top two principal components of a seeded subset)",
            Enumerable.Range(0, y.Length).Select(i => xy[2 * i]).ToArray(), Enumerable.Range(0, y.Length).Select(i => xy[2 * i + 1]).ToArray(), y)
        {
            ClassNames = run.Summary.ClassNames,
        };
    }
}
