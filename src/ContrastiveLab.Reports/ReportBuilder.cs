using System.Globalization;
using System.Text;

namespace ContrastiveLab.Reports;

/// <summary>Builds the report (Table 1, the claims, the figures, what was run, what is missing) from plain records.</summary>
public static class ReportBuilder
{
    /// <summary>Builds the report in memory; the caller writes <see cref="ReportOutput.Files"/>.</summary>
    /// <exception cref="ArgumentException">There is no finished run.</exception>
    public static ReportOutput Build(ReportInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var all = inputs.Runs.Runs;
        if (all.Count == 0)
        {
            throw new ArgumentException($"{inputs.Runs.Root}: no finished run folder (a folder with config.json and summary.json) up to two levels down; {inputs.Runs.Missing.Count} unfinished or unreadable.", nameof(inputs));
        }
        // Runs pool only when dataset and protocol (every setting but loss, τ, the hard loss's K or α, seed and speed
        // settings) agree, and a loss's runs at another K or α form a group of their own. Claims and figures use the
        // group with the most runs; Table 1 covers every group.
        var groups = all.GroupBy(r => (r.Config.Dataset, r.Config.ProtocolKey))
            .SelectMany(g => SplitHardSettings(g.ToArray()))
            .OrderBy(g => g[0].Config.Dataset, StringComparer.Ordinal).ThenByDescending(g => g.Length)
            .ThenBy(g => g[0].Config.ProtocolKey, StringComparer.Ordinal).ThenBy(g => Settings(g).Key, StringComparer.Ordinal)
            .ToArray();
        var settingsOf = groups.ToDictionary(g => g, g => Settings(g).Values);
        var runs = groups.OrderByDescending(g => g.Length).First();
        string dataset = runs[0].Config.Dataset;
        string Label(RunRecord[] g) => ProtocolLabel(settingsOf[g], groups.Where(o => o[0].Config.Dataset == g[0].Config.Dataset).Select(o => settingsOf[o]).ToArray());
        int withLinear = runs.Count(r => r.Linear is not null);
        var kind = withLinear == runs.Length ? AccuracyKind.Linear : AccuracyKind.Knn;
        var points = SweepPoint.Aggregate(runs, kind);
        double? untrained = SweepPoint.Mean(runs.Select(r => r.UntrainedKnnTop1));
        var claims = ClaimsChecker.Check(points, kind);
        string accuracyNote = kind == AccuracyKind.Linear
            ? "Accuracy is the best linear-probe top-1 (linear.json) of every run."
            : $"Accuracy is weighted-kNN top-1 after the last epoch: linear.json (from `contrastive eval linear`) is present for {withLinear} of {runs.Length} runs, so the linear probe is not used.";

        var figures = Figures(inputs, runs, points, kind, untrained);
        var blocks = new List<ReportBlock>
        {
            new HeadingBlock(1, "ContrastiveLab report: Understanding the Behaviour of Contrastive Loss (Wang & Liu, CVPR 2021)"),
            new ParagraphBlock($"{Count(all.Count, "finished run")}{(inputs.Preset is null ? "" : $" of preset `{inputs.Preset}`")}; claims and figures use dataset `{dataset}`{Label(runs)} ({Count(runs.Length, "run")}). {accuracyNote}"),
        };
        var split = groups.GroupBy(g => g[0].Config.Dataset).Where(d => d.Count() > 1).ToArray();
        foreach (var d in split)
        {
            var keys = DifferingKeys(d.Select(g => settingsOf[g]).ToArray());
            blocks.Add(new ParagraphBlock($"Not pooled: the runs of `{d.Key}` differ in {string.Join(", ", keys)} (settings other than loss, τ and seed), so each setting has its own Table 1 and only the largest group is used for the claims and figures."));
        }
        blocks.Add(new HeadingBlock(2, "Table 1: accuracy, −uniformity and tolerance per loss and τ"));
        foreach (var group in groups)
        {
            blocks.AddRange(Table1(group[0].Config.Dataset, Label(group), SweepPoint.Aggregate(group, kind), kind));
        }
        blocks.Add(new HeadingBlock(2, "The paper's claims, checked"));
        int seeds = points.Count == 0 ? 0 : points.Min(p => p.Runs);
        blocks.Add(new ParagraphBlock(
            $"Each claim of the paper against our `{dataset}` runs ({string.Join(", ", points.Select(p => p.Runs).Distinct().Order())} seed(s) per loss and τ). " +
            $"{Count(claims, ClaimVerdict.Supported)} supported, {Count(claims, ClaimVerdict.Contradicted)} contradicted, {Count(claims, ClaimVerdict.Inconclusive)} inconclusive, {Count(claims, ClaimVerdict.NotTestable)} not testable."));
        blocks.Add(new ParagraphBlock(
            "How a verdict is decided: each claim is turned into a quantity computed from the cells' means over seeds — the slope of a metric against log₂ τ for a trend, the difference of two cells for a gap — " +
            "and that quantity gets a 95 % Student-t interval from the seed-to-seed variance pooled over every loss/τ cell with repeated seeds. " +
            "Where a claim compares the best of several τ (claims 4, 5 and 7), picked by its mean, that interval is Bonferroni-widened over the candidates, so that picking the best does not make the claim look surer than it is. " +
            "SUPPORTED: the whole interval lies where the claim holds; CONTRADICTED: it lies wholly outside; INCONCLUSIVE: it straddles the boundary, so the noise decides and no verdict is given. " +
            "Repeating the sweep on another machine can then move a verdict between a decision and INCONCLUSIVE, but between SUPPORTED and CONTRADICTED only when an interval misses the truth (at most 2.5 % each way). " +
            (seeds >= 2 ? "" : "Some cells have a single seed: their accuracy noise is taken as the binomial noise of the test images alone, which understates the real noise, and metrics without such a model cannot be decided; run two or more seeds.")));
        blocks.AddRange(claims.Select(c => new ClaimBlock(c)));
        blocks.Add(new HeadingBlock(2, "Figures"));
        blocks.AddRange(figures.Select(f => new FigureBlock(f)));
        blocks.AddRange(WhatWasRun(inputs, all));
        blocks.Add(new HeadingBlock(2, "Missing or unfinished runs"));
        blocks.Add(inputs.Runs.Missing.Count == 0
            ? new ParagraphBlock("None: every run folder found has finished.")
            : new BulletsBlock(inputs.Runs.Missing.Select(m => $"{m.Name}: {m.Reason}").ToArray()));

        return new ReportOutput(Markdown(blocks), Html(blocks), figures, claims, kind) { Missing = inputs.Runs.Missing };
    }

    private static int Count(IReadOnlyList<ClaimResult> claims, ClaimVerdict verdict) => claims.Count(c => c.Verdict == verdict);

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    /// <summary>The keys whose values differ among the groups' <paramref name="settings"/> (where <see cref="Speaks"/>), sorted.</summary>
    private static string[] DifferingKeys(IReadOnlyList<IReadOnlyDictionary<string, string>> settings) =>
        [.. settings.SelectMany(c => c.Keys).Distinct()
            .Where(k => settings.Where(c => Speaks(c, k)).Select(c => c.GetValueOrDefault(k, "(absent)")).Distinct().Count() > 1)
            .Order(StringComparer.Ordinal)];

    private static readonly string[] HardKeys = ["hard_k", "hard_alpha"];

    // Whether a group's settings say anything of key: every protocol key does (an absent one differs from a present one),
    // but K and α only in a group that has hard-loss runs; a group without them does not differ in its hard loss's setting.
    private static bool Speaks(IReadOnlyDictionary<string, string> settings, string key) => settings.ContainsKey(key) || !HardKeys.Contains(key);

    /// <summary>" (epochs=12, lr=0.06)": this group's values of the keys that tell it apart from the other groups of its dataset; empty when it is alone.</summary>
    private static string ProtocolLabel(IReadOnlyDictionary<string, string> settings, IReadOnlyList<IReadOnlyDictionary<string, string>> sameDataset)
    {
        var keys = DifferingKeys(sameDataset).Where(k => Speaks(settings, k)).ToArray();
        return keys.Length == 0 ? "" : $" ({string.Join(", ", keys.Select(k => $"{k}={settings.GetValueOrDefault(k, "(absent)")}"))})";
    }

    /// <summary>The K or α of a run of a loss that uses them (hard, hard-simple), else null.</summary>
    private static (int? K, double? Alpha)? HardSetting(RunConfig c) =>
        c.HardK is null && c.HardAlpha is null ? null : (c.HardK, c.HardAlpha is double a ? Math.Round(a, 9) : null);

    /// <summary>
    /// Runs of one loss at different K or α are different settings, not seeds of one cell: within a protocol group the
    /// most common setting of each loss stays, and each other setting becomes a group of its own (its own Table 1).
    /// </summary>
    private static IEnumerable<RunRecord[]> SplitHardSettings(RunRecord[] group)
    {
        var moved = new HashSet<RunRecord>();
        var others = new List<RunRecord[]>();
        foreach (var byLoss in group.Where(r => HardSetting(r.Config) is not null).GroupBy(r => r.Config.Loss, StringComparer.Ordinal))
        {
            var settings = byLoss.GroupBy(r => HardSetting(r.Config)).OrderByDescending(s => s.Count())
                .ThenBy(s => s.Key!.Value.K ?? -1).ThenBy(s => s.Key!.Value.Alpha ?? -1).ToArray();
            foreach (var setting in settings.Skip(1))
            {
                others.Add(setting.ToArray());
                moved.UnionWith(setting);
            }
        }
        return [group.Where(r => !moved.Contains(r)).ToArray(), .. others];
    }

    /// <summary>A group's protocol plus the K and α of its hard-loss runs (one setting a group after <see cref="SplitHardSettings"/>), and those as one string.</summary>
    private static (IReadOnlyDictionary<string, string> Values, string Key) Settings(RunRecord[] group)
    {
        var values = new Dictionary<string, string>(group[0].Config.Protocol, StringComparer.Ordinal);
        if (group.Select(r => r.Config).FirstOrDefault(c => HardSetting(c) is not null) is { } hard)
        {
            values["hard_k"] = hard.HardK?.ToString(CultureInfo.InvariantCulture) ?? "null";
            values["hard_alpha"] = hard.HardAlpha?.ToString("R", CultureInfo.InvariantCulture) ?? "null";
        }
        return (values, string.Join(", ", values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
    }

    private static List<ReportFigure> Figures(ReportInputs inputs, RunRecord[] runs, IReadOnlyList<SweepPoint> points, AccuracyKind kind, double? untrained)
    {
        var figures = new List<ReportFigure>();
        if (inputs.PenaltyCurves.Count > 0)
        {
            figures.Add(ReportFigures.PenaltyCurves(inputs.PenaltyCurves));
        }
        figures.Add(ReportFigures.MetricVsTau(points, "neg_uniformity"));
        figures.Add(ReportFigures.MetricVsTau(points, "tolerance"));
        // Fig. 8: the first seed of each contrastive τ, then of each hard τ.
        figures.AddRange(runs.Where(r => r.OrderStatistics is { Rows.Count: > 0 } && r.Config.Loss is "contrastive" or "hard")
            .GroupBy(r => (r.Config.Loss, r.Config.Tau)).OrderBy(g => g.Key.Loss, StringComparer.Ordinal).ThenBy(g => g.Key.Tau)
            .Select(g => ReportFigures.OrderStatisticBoxes(g.OrderBy(r => r.Config.Seed).First())));
        figures.Add(ReportFigures.AccuracyVsTau(points, kind, untrained));
        figures.Add(ReportFigures.UniformityTolerancePlane(points, kind));
        figures.AddRange(inputs.Maps.Select(ReportFigures.EmbeddingMapFigure));
        figures.Add(ReportFigures.TrainingCurves(runs));
        return figures;
    }

    private static IEnumerable<ReportBlock> Table1(string dataset, string label, IReadOnlyList<SweepPoint> points, AccuracyKind kind)
    {
        string? paper = PaperReference.PaperDataset(dataset);
        var columns = new List<(string Loss, double? Tau)>();
        foreach (string loss in new[] { "contrastive", "simple", "hard", "hard-simple", "single" })
        {
            var taus = points.Where(p => p.Loss == loss).Select(p => p.Tau);
            if (paper is not null && loss is "contrastive" or "hard")
            {
                taus = taus.Concat(PaperReference.Table1Taus);
            }
            if (!ReportFigures.HasTau(loss))
            {
                if (points.Any(p => p.Loss == loss) || (paper is not null && loss != "single"))
                {
                    columns.Add((loss, null));
                }
                continue;
            }
            columns.AddRange(taus.Select(t => Math.Round(t, 9)).Distinct().Order().Select(t => (loss, (double?)t)));
        }
        SweepPoint? Ours((string Loss, double? Tau) c) => points.FirstOrDefault(p => p.Loss == c.Loss && (c.Tau is null || Math.Abs(p.Tau - c.Tau.Value) < 1e-9));
        PaperCell? Theirs((string Loss, double? Tau) c) => paper is null ? null : PaperReference.Cell(paper, c.Loss, c.Tau ?? 0);
        string Num(double? v) => v is double x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";
        bool singleSeedCell = false;
        // Mean ± standard error over seeds; a single-seed accuracy gets the binomial standard error over test images, marked ᵇ.
        string Spread(SweepPoint? p, string metric, bool percent)
        {
            if (p?.Mean(metric) is not double mean)
            {
                return "—";
            }
            string F2(double x) => percent ? (100 * x).ToString("0.00", CultureInfo.InvariantCulture) : x.ToString("0.000", CultureInfo.InvariantCulture);
            if (p.StandardError(metric) is double se)
            {
                return $"{F2(mean)} ± {F2(se)}";
            }
            if (percent && p.TestImages > 0)
            {
                singleSeedCell = true;
                return $"{F2(mean)} ± {F2(Math.Sqrt(mean * (1 - mean) / p.TestImages))}ᵇ";
            }
            return F2(mean);
        }

        var header = new List<string> { "metric" };
        header.AddRange(columns.Select(c => ReportFigures.Short(c.Loss) + (c.Tau is double t ? " " + ClaimsChecker.F(t) : "")));
        var rows = new List<IReadOnlyList<string>>
        {
            Row(kind == AccuracyKind.Linear ? "acc (linear top-1 %)" : "acc (kNN top-1 %)", c => Spread(Ours(c), SweepPoint.AccuracyKey, percent: true)),
        };
        if (kind == AccuracyKind.Linear)
        {
            rows.Add(Row("kNN top-1 %", c => Spread(Ours(c), SweepPoint.KnnKey, percent: true)));
        }
        rows.Add(Row("−unif", c => Spread(Ours(c), SweepPoint.NegUniformityKey, percent: false)));
        rows.Add(Row("tol", c => Spread(Ours(c), SweepPoint.ToleranceKey, percent: false)));
        rows.Add(Row("runs (seeds)", c => Ours(c)?.Runs.ToString(CultureInfo.InvariantCulture) ?? "0"));
        if (paper is not null)
        {
            rows.Add(Row("paper acc (linear %)", c => Theirs(c) is { } p ? p.Accuracy.ToString("0.00", CultureInfo.InvariantCulture) : "—"));
            rows.Add(Row("paper −unif", c => Num(Theirs(c)?.Uniformity)));
            rows.Add(Row("paper tol", c => Num(Theirs(c)?.Tolerance)));
        }
        yield return new HeadingBlock(3, $"Dataset `{dataset}`{label}");
        yield return new TableBlock(header, rows);
        yield return new ParagraphBlock("Cells: mean ± standard error over seeds (runs (seeds) says how many)" +
            (singleSeedCell ? "; ᵇ: a single seed, so the ± is the binomial standard error over the test images alone, which leaves out seed-to-seed noise." : "."));
        if (paper is null)
        {
            yield return new ParagraphBlock($"The paper has no numbers for `{dataset}`, so ours cannot be compared cell by cell. For orientation, the paper's CIFAR10 row (linear top-1 %, −uniformity, tolerance):");
            var cifar = PaperReference.Table1["cifar10"];
            var paperHeader = new List<string> { "metric" };
            paperHeader.AddRange(cifar.Select(c => ReportFigures.Short(c.Loss) + (c.Tau is double t ? " " + ClaimsChecker.F(t) : "")));
            yield return new TableBlock(paperHeader,
            [
                ["acc", .. cifar.Select(c => c.Accuracy.ToString("0.00", CultureInfo.InvariantCulture))],
                ["−unif", .. cifar.Select(c => Num(c.Uniformity))],
                ["tol", .. cifar.Select(c => Num(c.Tolerance))],
            ]);
        }

        IReadOnlyList<string> Row(string name, Func<(string Loss, double? Tau), string> cell) => [name, .. columns.Select(cell)];
    }

    private static IEnumerable<ReportBlock> WhatWasRun(ReportInputs inputs, IReadOnlyList<RunRecord> runs)
    {
        yield return new HeadingBlock(2, "What was run");
        var machines = runs.Select(r => r.Environment).Where(e => e is not null)
            .Select(e => $"{e!.Machine} ({e.Os}, {e.Cores} cores, {e.Device}; ContrastiveLab {e.Versions.GetValueOrDefault("contrastivelab", "?")}, TorchSharp {e.Versions.GetValueOrDefault("torchsharp", "?")}, libtorch {e.Versions.GetValueOrDefault("libtorch", "?")}, .NET {e.Versions.GetValueOrDefault("dotnet", "?")})")
            .Distinct().ToArray();
        double total = runs.Where(r => double.IsFinite(r.Summary.WallSeconds)).Sum(r => r.Summary.WallSeconds);
        yield return new BulletsBlock(
        [
            $"Preset: {inputs.Preset ?? "not given"}.",
            $"Datasets: {string.Join("; ", runs.GroupBy(r => r.Config.Dataset).Select(g => $"{g.Key} ({g.First().Summary.TrainImages} train / {g.First().Summary.TestImages} test images{(g.First().Config.TrainPerClass is int n ? $", {n} per class" : "")})"))}.",
            $"Models: {string.Join(", ", runs.Select(r => r.Config.Model).Distinct())}; negatives: {string.Join(", ", runs.Select(r => r.Config.Negatives).Distinct())}; epochs: {string.Join(", ", runs.Select(r => r.Config.Epochs).Distinct().Order())}; seeds: {string.Join(", ", runs.Select(r => r.Config.Seed).Distinct().Order())}.",
            $"Machine: {(machines.Length == 0 ? "not recorded (no environment.json)" : string.Join("; ", machines))}.",
            $"Threads: {string.Join(", ", runs.Select(r => r.Summary.Threads).Distinct().Order())}. Total training wall time: {total:0} s ({total / 60:0.0} min) over {runs.Count} runs.",
            $"Fig. 2 projection: {(inputs.Maps.Count == 0 ? "no maps (no test_embeddings.npy found)" : string.Join("; ", inputs.Maps.Select(m => m.Method).Distinct()))}.",
        ]);
        yield return new TableBlock(
            ["run", "loss", "τ", "dataset", "model", "negatives", "epochs", "batch", "lr", "seed", "threads", "device", "wall s", "kNN %", "kNN backbone %", "linear %"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.Name, r.Config.Loss, ClaimsChecker.F(r.Config.Tau), r.Config.Dataset, r.Config.Model, r.Config.Negatives,
                r.Config.Epochs.ToString(CultureInfo.InvariantCulture), r.Config.BatchSize.ToString(CultureInfo.InvariantCulture),
                ClaimsChecker.F(r.Config.Lr), r.Config.Seed.ToString(CultureInfo.InvariantCulture), r.Summary.Threads.ToString(CultureInfo.InvariantCulture),
                r.Summary.Device, r.Summary.WallSeconds.ToString("0", CultureInfo.InvariantCulture),
                (100 * r.Summary.KnnTop1).ToString("0.00", CultureInfo.InvariantCulture),
                r.Summary.FinalValue("knn_backbone_top1") is double b ? (100 * b).ToString("0.00", CultureInfo.InvariantCulture) : "—",
                r.Linear is null ? "—" : (100 * r.Linear.BestTop1).ToString("0.00", CultureInfo.InvariantCulture),
            ]).ToArray());
    }

    private static string Markdown(IEnumerable<ReportBlock> blocks)
    {
        var sb = new StringBuilder();
        foreach (var b in blocks)
        {
            b.Markdown(sb);
        }
        return sb.ToString();
    }

    private static string Html(IEnumerable<ReportBlock> blocks)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ContrastiveLab report</title><style>");
        sb.AppendLine("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}");
        sb.AppendLine("table{border-collapse:collapse;margin:1em 0;font-size:0.85em;display:block;overflow-x:auto}th,td{border:1px solid #bbb;padding:3px 7px;text-align:right}thead th{background:#eef}tbody th{text-align:left;background:#f7f7f7}");
        sb.AppendLine("figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:0.9em;color:#444}");
        sb.AppendLine(".claim{margin:0.8em 0}.v{padding:1px 6px;border-radius:3px;color:#fff;font-size:0.85em}.supported{background:#2a7d2a}.contradicted{background:#b52a2a}.inconclusive{background:#9a6b00}.nottestable{background:#777}");
        sb.AppendLine("</style></head><body>");
        foreach (var b in blocks)
        {
            b.Html(sb);
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
