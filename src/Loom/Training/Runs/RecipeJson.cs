using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Loom.Core;

namespace Loom.Training.Runs;

/// <summary>
/// How recipes (the options records runs start from) read and write JSON: snake_case names, unset (null) properties
/// left out, unknown properties rejected with one line. <c>loom train KIND --config run.json</c>, run.json in a
/// checkpoint and presets all use it.
/// </summary>
public static class RecipeJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    public static JsonObject ToJson<T>(T recipe) => JsonSerializer.SerializeToNode(recipe, Options)!.AsObject();

    /// <summary>Reads a recipe; <paramref name="source"/> names the file or object in the error.</summary>
    public static T FromJson<T>(JsonObject json, string source)
    {
        try
        {
            return json.Deserialize<T>(Options) ?? throw new LoomUsageException($"{source}: empty recipe");
        }
        catch (JsonException e)
        {
            throw new LoomUsageException($"{source}: not a valid {typeof(T).Name}: {e.Message.Split('.')[0]}");
        }
    }

    /// <summary>A JSON property's name as the recipe record names it (learning_rate → LearningRate), for errors.</summary>
    public static string OptionName(string property) =>
        string.Concat(property.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary><paramref name="overlay"/>'s properties laid over <paramref name="baseline"/>'s (a new object).</summary>
    public static JsonObject Overlay(JsonObject baseline, JsonObject overlay)
    {
        var result = baseline.DeepClone().AsObject();
        foreach (var (name, value) in overlay)
            result[name] = value?.DeepClone();
        return result;
    }
}
