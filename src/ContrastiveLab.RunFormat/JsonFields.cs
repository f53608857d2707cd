using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContrastiveLab.RunFormat;

/// <summary>Typed reads of one field of a JSON object, for the parsers of the run folder's files (here and in the reports).</summary>
public static class JsonFields
{
    /// <summary>The string at <paramref name="key"/>, or null when absent or null.</summary>
    /// <exception cref="FormatException">The value is not a string.</exception>
    public static string? Text(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException($"'{key}' is not a string"),
    };

    /// <summary>The number at <paramref name="key"/>, or null when absent or null.</summary>
    /// <exception cref="FormatException">The value is not a number.</exception>
    public static double? Number(JsonObject o, string key) => NumberOf(o[key], key);

    /// <summary>A node's number: read from text it holds a JSON number; built in memory it may hold an int or a long.</summary>
    /// <exception cref="FormatException">The node is not a number; the message names <paramref name="key"/>.</exception>
    public static double? NumberOf(JsonNode? node, string key) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out int i) => i,
        _ => throw new FormatException($"'{key}' is not a number"),
    };
}
