using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContrastiveLab.RunFormat;

/// <summary>
/// <c>linear.json</c>: what the linear evaluation (<c>contrastive eval linear</c>) found for one checkpoint. The
/// evaluation writes it with <see cref="ToJson"/>; reports read it with <see cref="Parse"/>, which also takes
/// accuracies written as percentages and files that lack the optional fields.
/// </summary>
/// <param name="Mode">"fast" (cached clean features) or "augmented" (the paper's protocol).</param>
/// <param name="Epochs">Epochs the classifier trained.</param>
/// <param name="BestTop1">Best test top-1 over the epochs, a fraction in 0–1.</param>
/// <param name="BestEpoch">1-based epoch of <paramref name="BestTop1"/> (0 when not recorded).</param>
/// <param name="LastTop1">Test top-1 after the last epoch, a fraction in 0–1.</param>
/// <param name="Checkpoint">Name of the checkpoint evaluated.</param>
public sealed record LinearResultFile(string Mode, int Epochs, double BestTop1, int BestEpoch, double LastTop1, string Checkpoint)
{
    private static readonly JsonSerializerOptions Written = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The text of linear.json: the parameters in order, named in snake case.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Written);

    /// <summary>Reads linear.json; only <c>best_top1</c> is required.</summary>
    /// <exception cref="FormatException"><c>best_top1</c> is missing, or a field has the wrong type; the message names it.</exception>
    public static LinearResultFile Parse(JsonObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        // A value above 1 cannot be a fraction: it was written as a percentage.
        static double Fraction(double v) => v > 1 ? v / 100 : v;
        double best = Fraction(JsonFields.Number(o, "best_top1") ?? throw new FormatException("'best_top1' is missing or null"));
        return new LinearResultFile(
            JsonFields.Text(o, "mode") ?? "?",
            (int)(JsonFields.Number(o, "epochs") ?? 0),
            best,
            (int)(JsonFields.Number(o, "best_epoch") ?? 0),
            JsonFields.Number(o, "last_top1") is double last ? Fraction(last) : best,
            JsonFields.Text(o, "checkpoint") ?? "?");
    }
}
