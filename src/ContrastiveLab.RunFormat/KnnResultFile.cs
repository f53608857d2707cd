using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContrastiveLab.RunFormat;

/// <summary>
/// <c>knn.json</c>: what <c>contrastive eval knn</c> measured for one checkpoint. The evaluation writes it with
/// <see cref="ToJson"/>; <see cref="Parse"/> reads it back for other tools.
/// </summary>
/// <param name="Features">"embedding" (the head's normalised output) or "backbone" (pooled features before the head).</param>
/// <param name="K">Neighbours.</param>
/// <param name="Sigma">Vote temperature σ.</param>
/// <param name="Top1">Test top-1, a fraction in 0–1.</param>
/// <param name="TrainImages">Training images voted with.</param>
/// <param name="TestImages">Test images classified.</param>
/// <param name="Checkpoint">Name of the checkpoint evaluated.</param>
public sealed record KnnResultFile(string Features, int K, double Sigma, double Top1, int TrainImages, int TestImages, string Checkpoint)
{
    private static readonly JsonSerializerOptions Written = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The text of knn.json: the parameters in order, named in snake case.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Written);

    /// <summary>Reads knn.json.</summary>
    /// <exception cref="FormatException">A field is missing or has the wrong type; the message names it.</exception>
    public static KnnResultFile Parse(JsonObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string Text(string key) => JsonFields.Text(o, key) ?? throw new FormatException($"'{key}' is missing or null");
        double Number(string key) => JsonFields.Number(o, key) ?? throw new FormatException($"'{key}' is missing or null");
        return new KnnResultFile(Text("features"), (int)Number("k"), Number("sigma"), Number("top1"), (int)Number("train_images"), (int)Number("test_images"), Text("checkpoint"));
    }
}
