using ScottPlot;

namespace ContrastiveLab.Reports;

/// <summary>The report's figures, each rendered to PNG and SVG with its data as CSV.</summary>
public static class ReportFigures
{
    /// <summary>Fig. 3: the relative penalty r against the similarity s of each negative, one line per τ.</summary>
    public static ReportFigure PenaltyCurves(IReadOnlyList<PenaltyCurveSeries> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var canvas = new PlotCanvas("Fig. 3: relative penalty r against similarity s", "similarity s of a negative", "log10 of the relative penalty r", "tau,similarity,penalty");
        int i = 0;
        foreach (var c in curves.OrderBy(c => c.Tau))
        {
            // r spans many decades at small τ: plot log10 r so every τ stays visible.
            var keep = Enumerable.Range(0, c.Penalty.Length).Where(k => c.Penalty[k] > 1e-12).ToArray();
            var line = canvas.Plot.Add.ScatterLine(keep.Select(k => c.Similarity[k]).ToArray(), keep.Select(k => Math.Log10(c.Penalty[k])).ToArray(), PlotCanvas.SeriesColor(i++));
            line.LineWidth = 2.5f;
            line.LegendText = $"τ = {ClaimsChecker.F(c.Tau)}";
            for (int k = 0; k < c.Similarity.Length; k++)
            {
                canvas.Row(c.Tau, c.Similarity[k], c.Penalty[k]);
            }
        }
        canvas.Plot.ShowLegend(Alignment.UpperLeft);
        return canvas.Render("fig3_relative_penalty",
            "Relative penalty r(s) = exp(s/τ)/Σ exp(s_k/τ) over negatives whose similarities cover [−1, 1] (values below 1e−12 not drawn). Small τ puts almost all of the penalty on the most similar negatives.");
    }

    /// <summary>Figs. 4–7: a geometry metric against τ for the contrastive and hard losses.</summary>
    /// <param name="points">Per loss and τ means.</param>
    /// <param name="metric">Which metric: "neg_uniformity" or "tolerance".</param>
    public static ReportFigure MetricVsTau(IReadOnlyList<SweepPoint> points, string metric)
    {
        ArgumentNullException.ThrowIfNull(points);
        bool uniformity = metric == "neg_uniformity";
        string name = uniformity ? "−L_uniformity" : "tolerance";
        var canvas = new PlotCanvas(uniformity ? "Figs. 4/6: −uniformity against τ" : "Figs. 5/7: tolerance against τ", "temperature τ", name, "loss,tau," + metric + ",runs");
        int i = 0;
        foreach (string loss in new[] { "contrastive", "hard" })
        {
            var series = points.Where(p => p.Loss == loss).Select(p => (p.Tau, Value: uniformity ? p.NegUniformity : p.Tolerance, p.Runs))
                .Where(p => p.Value is not null).ToArray();
            foreach (var p in series)
            {
                canvas.Row(loss, p.Tau, p.Value, p.Runs);
            }
            if (series.Length > 0)
            {
                var line = canvas.Plot.Add.Scatter(series.Select(p => p.Tau).ToArray(), series.Select(p => p.Value!.Value).ToArray(), PlotCanvas.SeriesColor(i));
                line.LineWidth = 2.5f;
                line.MarkerSize = 10;
                line.LegendText = loss;
            }
            i++;
        }
        canvas.FitTauAxis(points.Where(p => p.Loss is "contrastive" or "hard" && (uniformity ? p.NegUniformity : p.Tolerance) is not null).Select(p => p.Tau).ToArray());
        canvas.Plot.ShowLegend(Alignment.LowerRight);
        return canvas.Render(uniformity ? "fig4_6_uniformity_vs_tau" : "fig5_7_tolerance_vs_tau",
            uniformity
                ? "−L_uniformity (higher = more uniform) at the end of training against τ; contrastive (Fig. 4) and hard contrastive (Fig. 6) losses."
                : "Tolerance (mean similarity of same-class pairs) at the end of training against τ; contrastive (Fig. 5) and hard contrastive (Fig. 7) losses.");
    }

    /// <summary>Fig. 8: box plots of the positive and the 1st…10th nearest-negative similarities for one run.</summary>
    public static ReportFigure OrderStatisticBoxes(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var stats = run.OrderStatistics ?? throw new ArgumentException($"run {run.Name} has no order statistics", nameof(run));
        string loss = run.Config.Loss;
        var canvas = new PlotCanvas($"Fig. 8: {loss}, τ = {ClaimsChecker.F(run.Config.Tau)}", "positive and k-th nearest negative", "cosine similarity", "column,min,q1,median,q3,max,anchors");
        var boxes = new List<Box>();
        for (int c = 0; c < stats.Columns.Count; c++)
        {
            double[] v = stats.Column(c);
            Array.Sort(v);
            double q1 = Quantile(v, 0.25), q2 = Quantile(v, 0.5), q3 = Quantile(v, 0.75);
            double iqr = q3 - q1;
            double lo = v.First(x => x >= q1 - 1.5 * iqr), hi = v.Last(x => x <= q3 + 1.5 * iqr);
            boxes.Add(new Box
            {
                Position = c,
                BoxMin = q1,
                BoxMax = q3,
                BoxMiddle = q2,
                WhiskerMin = lo,
                WhiskerMax = hi,
            });
            canvas.Row(stats.Columns[c], v[0], q1, q2, q3, v[^1], v.Length);
        }
        canvas.Plot.Add.Boxes(boxes);
        double[] ticks = Enumerable.Range(0, stats.Columns.Count).Select(c => (double)c).ToArray();
        string[] labels = stats.Columns.Select(c => c == "pos" ? "pos" : c.Replace("neg", "", StringComparison.Ordinal)).ToArray();
        canvas.Plot.Axes.Bottom.SetTicks(ticks, labels);
        return canvas.Render($"fig8_order_statistics_{Slug(loss)}_tau_{ClaimsChecker.F(run.Config.Tau)}",
            $"Run {run.Name}: similarity of each diagnostic anchor to its positive (first box) and to its 1st…10th nearest negatives, {stats.Rows.Count} anchors; boxes are quartiles, whiskers 1.5 IQR.");
    }

    /// <summary>Fig. 9: accuracy against τ, contrastive vs hard, with the simple loss and the untrained encoder as lines.</summary>
    public static ReportFigure AccuracyVsTau(IReadOnlyList<SweepPoint> points, AccuracyKind kind, double? untrainedKnn)
    {
        ArgumentNullException.ThrowIfNull(points);
        string acc = kind == AccuracyKind.Linear ? "linear top-1 (%)" : "kNN top-1 (%)";
        var canvas = new PlotCanvas("Fig. 9: accuracy against τ", "temperature τ", acc, "loss,tau,accuracy_percent,runs");
        int i = 0;
        foreach (string loss in new[] { "contrastive", "hard" })
        {
            var series = points.Where(p => p.Loss == loss && p.Accuracy is not null).ToArray();
            foreach (var p in series)
            {
                canvas.Row(loss, p.Tau, 100 * p.Accuracy!.Value, p.Runs);
            }
            if (series.Length > 0)
            {
                var line = canvas.Plot.Add.Scatter(series.Select(p => p.Tau).ToArray(), series.Select(p => 100 * p.Accuracy!.Value).ToArray(), PlotCanvas.SeriesColor(i));
                line.LineWidth = 2.5f;
                line.MarkerSize = 10;
                line.LegendText = loss;
            }
            i++;
        }
        var lines = new List<(string Name, double Value)>();
        if (points.FirstOrDefault(p => p.Loss == "simple" && p.Accuracy is not null) is { } simple)
        {
            lines.Add(("simple", 100 * simple.Accuracy!.Value));
        }
        if (untrainedKnn is double u && kind == AccuracyKind.Knn)
        {
            lines.Add(("untrained encoder", 100 * u));
        }
        foreach (var (name, value) in lines)
        {
            var h = canvas.Plot.Add.HorizontalLine(value, 2.5f, PlotCanvas.SeriesColor(i++), LinePattern.Dashed);
            h.LegendText = name;
            canvas.Row(name, "", value, "");
        }
        canvas.FitTauAxis(points.Where(p => p.Loss is "contrastive" or "hard" && p.Accuracy is not null).Select(p => p.Tau).ToArray());
        canvas.Plot.ShowLegend(Alignment.LowerRight);
        return canvas.Render("fig9_accuracy_vs_tau",
            $"{acc} against τ for the contrastive and hard contrastive losses; dashed lines: the simple loss" + (kind == AccuracyKind.Knn ? " and the untrained encoder (epoch 0)." : "."));
    }

    /// <summary>The uniformity–tolerance plane: one marker per loss and τ, coloured by accuracy.</summary>
    public static ReportFigure UniformityTolerancePlane(IReadOnlyList<SweepPoint> points, AccuracyKind kind)
    {
        ArgumentNullException.ThrowIfNull(points);
        var usable = points.Where(p => p.NegUniformity is not null && p.Tolerance is not null && p.Accuracy is not null).ToArray();
        var canvas = new PlotCanvas("Uniformity–tolerance plane (colour: accuracy)", "−L_uniformity", "tolerance", "loss,tau,neg_uniformity,tolerance,accuracy_percent");
        if (usable.Length > 0)
        {
            double lo = usable.Min(p => p.Accuracy!.Value), hi = usable.Max(p => p.Accuracy!.Value);
            var map = new ScottPlot.Colormaps.Viridis();
            foreach (var p in usable)
            {
                double frac = hi > lo ? (p.Accuracy!.Value - lo) / (hi - lo) : 0.5;
                canvas.Plot.Add.Marker(p.NegUniformity!.Value, p.Tolerance!.Value, MarkerShape.FilledCircle, 18, map.GetColor(frac));
                var text = canvas.Plot.Add.Text($"{Short(p.Loss)}{(HasTau(p.Loss) ? " " + ClaimsChecker.F(p.Tau) : "")}: {100 * p.Accuracy!.Value:0.0}%", p.NegUniformity.Value, p.Tolerance.Value);
                text.LabelFontSize = 13;
                text.OffsetX = 12;
                text.OffsetY = -8;
                canvas.Row(p.Loss, p.Tau, p.NegUniformity.Value, p.Tolerance.Value, 100 * p.Accuracy.Value);
            }
            canvas.Plot.Axes.Margins(0.25, 0.15);
        }
        string acc = kind == AccuracyKind.Linear ? "linear" : "kNN";
        return canvas.Render("uniformity_tolerance_plane",
            $"Each loss and τ as a point (−uniformity, tolerance); colour runs from dark (lowest {acc} accuracy) to yellow (highest); labels give the accuracy.");
    }

    /// <summary>Fig. 2: a 2-D map of one run's test embeddings, coloured by class.</summary>
    public static ReportFigure EmbeddingMapFigure(EmbeddingMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var canvas = new PlotCanvas($"Fig. 2: test embeddings, τ = {ClaimsChecker.F(map.Tau)}", "component 1", "component 2", "x,y,label");
        foreach (var group in Enumerable.Range(0, map.X.Length).GroupBy(k => map.Labels[k]).OrderBy(g => g.Key))
        {
            var idx = group.ToArray();
            var markers = canvas.Plot.Add.Markers(idx.Select(k => map.X[k]).ToArray(), idx.Select(k => map.Y[k]).ToArray(), MarkerShape.FilledCircle, 4, new ScottPlot.Palettes.Category10().GetColor((int)group.Key));
            markers.LegendText = map.ClassName(group.Key);
        }
        for (int k = 0; k < map.X.Length; k++)
        {
            canvas.Row(map.X[k], map.Y[k], map.Labels[k]);
        }
        canvas.Plot.ShowLegend(Edge.Right);
        return canvas.Render($"fig2_embeddings_tau_{ClaimsChecker.F(map.Tau)}",
            $"Run {map.RunName}: {map.X.Length} test embeddings projected to 2-D by {map.Method}, coloured by class.");
    }

    /// <summary>Training curves: kNN top-1 against epoch, one line per run.</summary>
    public static ReportFigure TrainingCurves(IReadOnlyList<RunRecord> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var canvas = new PlotCanvas("Training curves: kNN top-1 per epoch", "epoch", "kNN top-1 (%)", "run,loss,tau,epoch,knn_top1_percent");
        int i = 0;
        foreach (var run in runs)
        {
            var rows = run.Metrics.Where(m => m.Value("knn_top1") is not null).ToArray();
            foreach (var m in rows)
            {
                canvas.Row(run.Name, run.Config.Loss, run.Config.Tau, m.Epoch, 100 * m.Value("knn_top1")!.Value);
            }
            if (rows.Length == 0)
            {
                continue;
            }
            var line = canvas.Plot.Add.Scatter(rows.Select(m => (double)m.Epoch).ToArray(), rows.Select(m => 100 * m.Value("knn_top1")!.Value).ToArray(), PlotCanvas.SeriesColor(i++));
            line.LineWidth = 2;
            line.MarkerSize = 5;
            line.LegendText = $"{Short(run.Config.Loss)}{(HasTau(run.Config.Loss) ? " τ=" + ClaimsChecker.F(run.Config.Tau) : "")} s{run.Config.Seed}";
        }
        canvas.Plot.ShowLegend(Edge.Right);
        return canvas.Render("training_curves", "Weighted-kNN top-1 on the test split after every epoch (epoch 0 = the untrained encoder), one line per run.");
    }

    /// <summary>Whether a loss has a temperature worth printing.</summary>
    internal static bool HasTau(string loss) => loss is not ("simple" or "hard-simple" or "single");

    /// <summary>The paper's short names: C, H, Simple, HardSimple, Single.</summary>
    internal static string Short(string loss) => loss switch
    {
        "contrastive" => "C",
        "hard" => "H",
        "simple" => "Simple",
        "hard-simple" => "HardSimple",
        "single" => "Single",
        _ => loss,
    };

    private static string Slug(string text) => new(text.Select(ch => char.IsLetterOrDigit(ch) ? ch : '-').ToArray());

    /// <summary>Linear-interpolation quantile of sorted values (NumPy's default).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
