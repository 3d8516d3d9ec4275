using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Loom.IO.Checkpoints;

/// <summary>
/// The provenance record of a checkpoint (<c>card.json</c>): what the model was trained on (SHA-256 of the data),
/// how (command line, seed, device), when, with which Loom, and what it scored.
/// </summary>
public sealed record ModelCard
{
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    [JsonPropertyName("loom_version")] public string LoomVersion { get; init; } = Core.LoomVersion.Current;
    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;
    [JsonPropertyName("data")] public IReadOnlyList<DataProvenance> Data { get; init; } = [];
    [JsonPropertyName("command_line")] public string? CommandLine { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("device")] public string? Device { get; init; }
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("notes")] public string? Notes { get; init; }
    /// <summary>The (ε, δ) a DP-SGD run spent and its settings; absent for ordinary training.</summary>
    [JsonPropertyName("privacy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Privacy.PrivacyCard? Privacy { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelCard FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(json, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new Core.LoomDataException($"{source}: not a valid model card ({e.Message.Split('\n')[0]})", e);
        }
    }

    public JsonNode ToNode() => JsonNode.Parse(ToJson())!;
}

/// <summary>One training input: where it came from, its size and SHA-256.</summary>
public sealed record DataProvenance(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("sha256")] string? Sha256,
    [property: JsonPropertyName("bytes")] long? Bytes)
{
    /// <summary>Provenance of a file: its full path, size and SHA-256.</summary>
    public static DataProvenance OfFile(string path)
    {
        var info = new FileInfo(path);
        return new DataProvenance(info.FullName, FileHash.Sha256(path), info.Length);
    }
}
