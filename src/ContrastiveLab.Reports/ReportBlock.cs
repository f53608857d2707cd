using System.Net;
using System.Text;

namespace ContrastiveLab.Reports;

/// <summary>One piece of the report, rendered both as Markdown and as HTML so the two never drift apart.</summary>
internal abstract record ReportBlock
{
    public abstract void Markdown(StringBuilder sb);

    public abstract void Html(StringBuilder sb);

    /// <summary>HTML-encodes text and turns Markdown `code` spans into &lt;code&gt;.</summary>
    protected static string E(string text) => System.Text.RegularExpressions.Regex.Replace(WebUtility.HtmlEncode(text), "`([^`]+)`", "<code>$1</code>");
}

internal sealed record HeadingBlock(int Level, string Text) : ReportBlock
{
    public override void Markdown(StringBuilder sb) => sb.Append('#', Level).Append(' ').AppendLine(Text).AppendLine();

    public override void Html(StringBuilder sb) => sb.AppendLine($"<h{Level}>{E(Text)}</h{Level}>");
}

internal sealed record ParagraphBlock(string Text) : ReportBlock
{
    public override void Markdown(StringBuilder sb) => sb.AppendLine(Text).AppendLine();

    public override void Html(StringBuilder sb) => sb.AppendLine($"<p>{E(Text)}</p>");
}

internal sealed record BulletsBlock(IReadOnlyList<string> Items) : ReportBlock
{
    public override void Markdown(StringBuilder sb)
    {
        foreach (string item in Items)
        {
            sb.Append("- ").AppendLine(item);
        }
        sb.AppendLine();
    }

    public override void Html(StringBuilder sb) => sb.AppendLine("<ul>" + string.Concat(Items.Select(i => $"<li>{E(i)}</li>")) + "</ul>");
}

internal sealed record TableBlock(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows) : ReportBlock
{
    public override void Markdown(StringBuilder sb)
    {
        static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
        sb.AppendLine("| " + string.Join(" | ", Header.Select(Cell)) + " |");
        sb.AppendLine("|" + string.Concat(Header.Select(_ => "---|")));
        foreach (var row in Rows)
        {
            sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        }
        sb.AppendLine();
    }

    public override void Html(StringBuilder sb)
    {
        sb.Append("<table><thead><tr>").Append(string.Concat(Header.Select(h => $"<th>{E(h)}</th>"))).Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            sb.Append("<tr>").Append(string.Concat(row.Select((c, i) => i == 0 ? $"<th>{E(c)}</th>" : $"<td>{E(c)}</td>"))).Append("</tr>");
        }
        sb.AppendLine("</tbody></table>");
    }
}

internal sealed record ClaimBlock(ClaimResult Claim) : ReportBlock
{
    public string Label => Claim.Verdict.Words().ToUpperInvariant();

    public override void Markdown(StringBuilder sb) =>
        sb.AppendLine($"**({Claim.Number}) {Claim.Claim}** — **{Label}**: {Claim.Evidence}").AppendLine();

    public override void Html(StringBuilder sb) =>
        sb.AppendLine($"<p class=\"claim\"><b>({Claim.Number}) {E(Claim.Claim)}</b> <span class=\"v {Claim.Verdict.ToString().ToLowerInvariant()}\">{Label}</span><br>{E(Claim.Evidence)}</p>");
}

internal sealed record FigureBlock(ReportFigure Figure) : ReportBlock
{
    public override void Markdown(StringBuilder sb) =>
        sb.AppendLine($"![{Figure.Title}](figures/{Figure.Id}.png)").AppendLine()
          .AppendLine($"*{Figure.Caption}* (data: `figures/{Figure.Id}.csv`, vector: `figures/{Figure.Id}.svg`)").AppendLine();

    public override void Html(StringBuilder sb) =>
        sb.AppendLine($"<figure><img alt=\"{E(Figure.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(Figure.Png)}\"><figcaption>{E(Figure.Caption)}</figcaption></figure>");
}
