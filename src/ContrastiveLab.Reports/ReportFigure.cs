namespace ContrastiveLab.Reports;

/// <summary>One rendered figure with the data behind it.</summary>
/// <param name="Id">File stem, e.g. <c>fig9_accuracy_vs_tau</c>.</param>
/// <param name="Title">Short title.</param>
/// <param name="Caption">What it shows and where the numbers come from.</param>
/// <param name="Png">PNG bytes.</param>
/// <param name="Svg">SVG document.</param>
/// <param name="Csv">The plotted data as CSV (header row first).</param>
public sealed record ReportFigure(string Id, string Title, string Caption, byte[] Png, string Svg, string Csv);
