using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContrastiveLab.RunFormat;

/// <summary>
/// <c>sweeps/NAME.json</c> in a results folder: which run folders (by name, in order) a sweep holds, with the
/// sweep's description and what it follows.
/// </summary>
/// <param name="Name">The sweep's name.</param>
/// <param name="Description">What it runs.</param>
/// <param name="Follows">What it reproduces (a paper's table or figure), or null.</param>
/// <param name="Runs">Its run folders' names, in order.</param>
public sealed record SweepListing(string Name, string? Description, string? Follows, IReadOnlyList<string> Runs)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The listing as written to disk.</summary>
    public string ToJson() => new JsonObject
    {
        ["name"] = Name,
        ["description"] = Description,
        ["follows"] = Follows,
        ["runs"] = new JsonArray([.. Runs.Select(r => (JsonNode?)r)]),
    }.ToJsonString(Indented);

    /// <summary>Reads a listing written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not such a listing; the message says what is wrong, in one line.</exception>
    public static SweepListing Parse(string json, string fallbackName)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON ({e.Message.Split('\n')[0]})");
        }
        if (root is not JsonObject o || o["runs"] is not JsonArray runs)
        {
            throw new FormatException("no 'runs' list");
        }
        var names = new List<string>(runs.Count);
        foreach (var run in runs)
        {
            names.Add(run is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new FormatException("a run name is not a string"));
        }
        return new SweepListing(Text(o, "name") ?? fallbackName, Text(o, "description"), Text(o, "follows"), names);
    }

    private static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
