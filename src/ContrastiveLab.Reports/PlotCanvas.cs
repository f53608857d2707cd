using System.Globalization;
using System.Text;
using ScottPlot;

namespace ContrastiveLab.Reports;

/// <summary>A ScottPlot plot with the report's fonts and size, and its data collected as CSV rows.</summary>
internal sealed class PlotCanvas
{
    public const int Width = 900;
    public const int Height = 560;

    private readonly StringBuilder csv = new();

    public PlotCanvas(string title, string xLabel, string yLabel, string csvHeader)
    {
        Plot.Font.Set("DejaVu Sans");
        Plot.Title(title);
        Plot.XLabel(xLabel);
        Plot.YLabel(yLabel);
        Plot.Axes.Title.Label.FontSize = 20;
        foreach (var axis in new IAxis[] { Plot.Axes.Bottom, Plot.Axes.Left })
        {
            axis.Label.FontSize = 17;
            axis.TickLabelStyle.FontSize = 15;
        }
        Plot.Legend.FontSize = 14;
        csv.AppendLine(csvHeader);
    }

    public Plot Plot { get; } = new();

    /// <summary>Appends one CSV row; numbers in invariant culture, text quoted when it needs it.</summary>
    public void Row(params object?[] cells) => csv.AppendLine(string.Join(',', cells.Select(Cell)));

    public ReportFigure Render(string id, string caption)
    {
        string title = Plot.Axes.Title.Label.Text;
        return new ReportFigure(id, title, caption, Plot.GetImageBytes(Width, Height, ImageFormat.Png), Plot.GetSvgXml(Width, Height), csv.ToString());
    }

    /// <summary>
    /// Fits the horizontal axis to the temperatures plotted, never below 0 (τ is positive): a single τ sits in the
    /// middle of [0, 2τ] rather than on an axis running to negative temperatures.
    /// </summary>
    public void FitTauAxis(IReadOnlyCollection<double> taus)
    {
        if (taus.Count == 0)
        {
            return;
        }
        double lo = taus.Min(), hi = taus.Max();
        if (hi - lo < 1e-12)
        {
            Plot.Axes.SetLimitsX(0, 2 * hi);
            return;
        }
        double pad = 0.05 * (hi - lo);
        Plot.Axes.SetLimitsX(Math.Max(0, lo - pad), hi + pad);
    }

    /// <summary>A distinct colour for series <paramref name="index"/>.</summary>
    public static Color SeriesColor(int index) => new ScottPlot.Palettes.Category10().GetColor(index);

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? ""),
    };

    private static string Quote(string text) => text.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
