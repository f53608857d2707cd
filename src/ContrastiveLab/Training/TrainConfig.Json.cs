namespace ContrastiveLab.Training;

// Reading and writing config.json: the strict reader that names a wrong key or value in one line.
public sealed partial record TrainConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Serialises a config as <c>config.json</c> holds it.</summary>
    public static string ToJson(TrainConfig config) => JsonSerializer.Serialize(config, Json);

    /// <summary>The property behind config key <paramref name="key"/> (one of <see cref="JsonKeys"/>).</summary>
    internal static System.Reflection.PropertyInfo PropertyOf(string key) =>
        typeof(TrainConfig).GetProperties().First(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == key);

    /// <summary>Reads a config file (snake_case keys; unknown keys are errors).</summary>
    /// <exception cref="JsonException">Not one JSON object; a key unknown (with the closest known key) or given twice;
    /// or a value of the wrong type. The message is one line and names the key.</exception>
    public static TrainConfig FromJson(string json)
    {
        using (var document = ParseConfigDocument(json))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException($"a config must be one JSON object of snake_case keys, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!JsonKeys.Contains(property.Name))
                {
                    string? guess = Core.Spelling.Suggest(property.Name, JsonKeys);
                    throw new JsonException($"unknown config key '{Core.Excerpt.Of(property.Name)}'" + (guess is null ? $"; known keys: {string.Join(", ", JsonKeys)}" : $"; did you mean '{guess}'?"));
                }
                if (!seen.Add(property.Name))
                {
                    throw new JsonException($"config key '{property.Name}' is given twice");
                }
                var option = PropertyOf(property.Name);
                if (!Fits(property.Value, option))
                {
                    throw new JsonException($"config key '{property.Name}' = {Core.Excerpt.Of(property.Value.GetRawText())} is not {Expected(option)}");
                }
            }
        }
        return JsonSerializer.Deserialize<TrainConfig>(json, Json) ?? throw new JsonException("empty config");
    }

    private static JsonDocument ParseConfigDocument(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new JsonException($"not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
    }

    /// <summary>Whether the option may be null (a nullable value type or a nullable-annotated string).</summary>
    private static bool IsNullable(System.Reflection.PropertyInfo option) =>
        Nullable.GetUnderlyingType(option.PropertyType) is not null
        || new System.Reflection.NullabilityInfoContext().Create(option).WriteState == System.Reflection.NullabilityState.Nullable;

    /// <summary>Whether a JSON value can be read as the option's type.</summary>
    private static bool Fits(JsonElement value, System.Reflection.PropertyInfo option)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return IsNullable(option);
        }
        var type = Nullable.GetUnderlyingType(option.PropertyType) ?? option.PropertyType;
        return type == typeof(string) ? value.ValueKind == JsonValueKind.String
            : type == typeof(bool) ? value.ValueKind is JsonValueKind.True or JsonValueKind.False
            : type == typeof(int) ? value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _)
            : type == typeof(long) ? value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _)
            : type == typeof(double) ? value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d)
            : throw new InvalidOperationException($"TrainConfig.{option.Name} has a type the config reader does not know");
    }

    private static string Expected(System.Reflection.PropertyInfo option)
    {
        var type = Nullable.GetUnderlyingType(option.PropertyType) ?? option.PropertyType;
        string what = type == typeof(string) ? "a string"
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) ? $"a whole number from {int.MinValue} to {int.MaxValue}"
            : type == typeof(long) ? $"a whole number from {long.MinValue} to {long.MaxValue}"
            : "a finite number";
        return IsNullable(option) ? what + " or null" : what;
    }
}
