using System.Globalization;
using System.Text.Json;
using ContrastiveLab.Core.Analysis;
using ContrastiveLab.IO;
using Spectre.Console;

namespace ContrastiveLab.Cli;

/// <summary>Prints an <see cref="EmbeddingAnalysis"/> as a table and writes it as the analyze JSON contract.</summary>
internal static class AnalyzeReport
{
    private static readonly string[] TauColumns = ["tau", "penalty_entropy", "effective_negatives", "loss_contrastive", "loss_hard"];

    /// <summary>
    /// Prints the summary and one row per τ: a Spectre.Console table on an interactive terminal, aligned plain
    /// text otherwise (redirected output, in-process callers).
    /// </summary>
    public static void Print(EmbeddingAnalysis analysis, AnalyzeInputs inputs, TextWriter output, bool interactive)
    {
        string NotGiven(string option) => $"n/a (no {option})";
        (string Name, string Value)[] summary =
        [
            ("embeddings", inputs.EmbeddingsPath),
            ("n", analysis.N.ToString(CultureInfo.InvariantCulture)),
            ("dim", analysis.Dim.ToString(CultureInfo.InvariantCulture)),
            ("uniformity", Number(analysis.Uniformity)),
            ("-uniformity (paper)", Number(-analysis.Uniformity)),
            ("tolerance", analysis.Tolerance is { } t ? Number(t) : NotGiven("--labels")),
            ("alignment", analysis.Alignment is { } a ? Number(a) : NotGiven("--positives")),
            ("loss_simple", analysis.LossSimple is { } s ? Number(s) : NotGiven("--positives")),
            ("hard K", (inputs.HardK ?? Math.Min(4095, analysis.N - 1)).ToString(CultureInfo.InvariantCulture)),
        ];
        string[][] perTau = [.. analysis.PerTau.Select(row => new[]
        {
            Number(row.Tau),
            Number(row.PenaltyEntropy),
            Number(row.EffectiveNegatives),
            row.LossContrastive is { } c ? Number(c) : "n/a",
            row.LossHard is { } h ? Number(h) : "n/a",
        })];

        if (interactive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            var first = new Table().AddColumns("metric", "value");
            foreach (var (name, value) in summary)
            {
                first.AddRow(Markup.Escape(name), Markup.Escape(value));
            }
            console.Write(first);
            var second = new Table().AddColumns(TauColumns);
            foreach (string[] row in perTau)
            {
                second.AddRow(row);
            }
            console.Write(second);
            return;
        }

        int width = summary.Max(r => r.Name.Length);
        foreach (var (name, value) in summary)
        {
            output.WriteLine($"{name.PadRight(width)}  {value}");
        }
        output.WriteLine();
        int[] widths = [.. TauColumns.Select((c, i) => perTau.Select(r => r[i].Length).Append(c.Length).Max())];
        output.WriteLine(string.Join("  ", TauColumns.Select((c, i) => c.PadLeft(widths[i]))).TrimEnd());
        foreach (string[] row in perTau)
        {
            output.WriteLine(string.Join("  ", row.Select((v, i) => v.PadLeft(widths[i]))));
        }
    }

    /// <summary>Writes the JSON contract atomically (temporary file, then rename).</summary>
    /// <exception cref="UserError">The file cannot be written, or a number is not finite.</exception>
    public static void WriteJson(EmbeddingAnalysis analysis, string path)
    {
        try
        {
            AtomicFile.Write(path, stream =>
            {
                using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                json.WriteStartObject();
                json.WriteNumber("n", analysis.N);
                json.WriteNumber("dim", analysis.Dim);
                WriteNumber(json, "uniformity", analysis.Uniformity);
                WriteNumber(json, "tolerance", analysis.Tolerance);
                WriteNumber(json, "alignment", analysis.Alignment);
                WriteNumber(json, "loss_simple", analysis.LossSimple);
                json.WriteStartArray("per_tau");
                foreach (var row in analysis.PerTau)
                {
                    json.WriteStartObject();
                    WriteNumber(json, "tau", row.Tau);
                    WriteNumber(json, "penalty_entropy", row.PenaltyEntropy);
                    WriteNumber(json, "effective_negatives", row.EffectiveNegatives);
                    WriteNumber(json, "loss_contrastive", row.LossContrastive);
                    WriteNumber(json, "loss_hard", row.LossHard);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"{path}: cannot write the JSON ({e.Message})");
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string key, double? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case { } v when double.IsFinite(v):
                json.WriteNumber(key, v);
                break;
            default:
                throw new UserError($"the analysis produced a non-finite {key} ({value}); no JSON was written");
        }
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
