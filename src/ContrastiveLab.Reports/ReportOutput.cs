using System.Text;

namespace ContrastiveLab.Reports;

/// <summary>A built report: the two documents, the figures, and the claims (for callers that print them).</summary>
/// <param name="Markdown">report.md; figures referenced as <c>figures/ID.png</c>.</param>
/// <param name="Html">report.html; self-contained (figures embedded as base64 PNG, CSS inline, no scripts, no network).</param>
/// <param name="Figures">Every figure.</param>
/// <param name="Claims">The seven claims checked.</param>
/// <param name="Accuracy">Which accuracy the report compares runs by.</param>
public sealed record ReportOutput(string Markdown, string Html, IReadOnlyList<ReportFigure> Figures, IReadOnlyList<ClaimResult> Claims, AccuracyKind Accuracy)
{
    /// <summary>The run folders the report could not use and the listed runs that never started, with the reason each.</summary>
    public IReadOnlyList<UnfinishedRun> Missing { get; init; } = [];

    /// <summary>Every file to write, as (path relative to the report folder, bytes).</summary>
    public IEnumerable<(string RelativePath, byte[] Content)> Files()
    {
        yield return ("report.md", Encoding.UTF8.GetBytes(Markdown));
        yield return ("report.html", Encoding.UTF8.GetBytes(Html));
        foreach (var f in Figures)
        {
            yield return ($"figures/{f.Id}.png", f.Png);
            yield return ($"figures/{f.Id}.svg", Encoding.UTF8.GetBytes(f.Svg));
            yield return ($"figures/{f.Id}.csv", Encoding.UTF8.GetBytes(f.Csv));
        }
    }
}
