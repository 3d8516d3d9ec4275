using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// The begin and end token ids an HF model folder declares: <c>generation_config.json</c> first (what
/// <c>generate</c> uses), then <c>config.json</c>. <c>eos_token_id</c> may be one id or a list (Llama 3.1 stops at three).
/// </summary>
public sealed record HfTokenIds(int? BosId, IReadOnlyList<int> EosIds)
{
    public const string GenerationConfigFile = "generation_config.json";

    public static HfTokenIds Read(string folder, JsonObject config)
    {
        var generation = ReadGenerationConfig(folder);
        var source = Path.Combine(folder, GenerationConfigFile);
        int? bos = Ids(generation?["bos_token_id"], source).Cast<int?>().FirstOrDefault()
            ?? Ids(config["bos_token_id"], "config.json").Cast<int?>().FirstOrDefault();
        var eos = Ids(generation?["eos_token_id"], source);
        if (eos.Count == 0)
            eos = Ids(config["eos_token_id"], "config.json");
        return new HfTokenIds(bos, eos);
    }

    /// <summary>The folder's generation_config.json as an object, or null when there is none.</summary>
    internal static JsonObject? ReadGenerationConfig(string folder)
    {
        var path = Path.Combine(folder, GenerationConfigFile);
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonNode.Parse(IO.Checkpoints.Checkpoint.TextFileOrThrow(path)) as JsonObject
                ?? throw new LoomDataException($"{path}: must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{path}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
    }

    /// <summary>An id, a list of ids, or nothing (absent or null).</summary>
    private static List<int> Ids(JsonNode? node, string source)
    {
        switch (node)
        {
            case null:
                return [];
            case JsonValue value when value.TryGetValue<int>(out var id) && id >= 0:
                return [id];
            case JsonArray list when list.All(x => x is JsonValue v && v.TryGetValue<int>(out var i) && i >= 0):
                return list.Select(x => x!.GetValue<int>()).ToList();
            default:
                throw new LoomDataException(
                    $"{source}: a token id must be an integer ≥ 0 or a list of them, found {node.ToJsonString()}");
        }
    }
}
