using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Evaluation.Audit;

/// <summary>
/// Named word lists for a text representation audit: <see cref="Attributes"/> (e.g. groups of people: <c>female</c>,
/// <c>male</c>) and <see cref="Targets"/> (e.g. roles or traits) whose co-occurrence with each attribute is compared.
/// Words are matched whole and case-insensitively. The file form is
/// <c>{"attributes": {"female": ["she", "her"], …}, "targets": {"power": ["king", "lord"], …}}</c>.
/// </summary>
public sealed record AttributeWordLists(IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Targets)
{
    /// <summary>English gendered words and a few role lists: a starting point, not a validated lexicon.</summary>
    public static AttributeWordLists Default { get; } = new(
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["female"] = ["she", "her", "hers", "herself", "woman", "women", "girl", "girls", "lady", "ladies", "queen", "mother",
                "daughter", "sister", "wife"],
            ["male"] = ["he", "him", "his", "himself", "man", "men", "boy", "boys", "lord", "lords", "king", "father", "son",
                "brother", "husband"],
        },
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["power"] = ["king", "queen", "lord", "duke", "crown", "throne", "rule", "command", "power", "master"],
            ["emotion"] = ["love", "weep", "tears", "fear", "grief", "sorrow", "joy", "heart", "gentle", "sweet"],
            ["violence"] = ["kill", "sword", "blood", "war", "fight", "death", "murder", "slay", "battle", "wound"],
        });

    /// <summary>Reads the JSON file form; errors name the file.</summary>
    public static AttributeWordLists Load(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(Data.TextFile.Read(path));
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{path}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (root is not JsonObject o || o["attributes"] is not JsonObject attributes)
            throw new LoomDataException($"{path}: expected {{\"attributes\": {{NAME: [WORDS]}}, \"targets\": {{NAME: [WORDS]}}}}");
        return new AttributeWordLists(Groups(attributes, path, "attributes"),
            o["targets"] is JsonObject targets ? Groups(targets, path, "targets") : new Dictionary<string, IReadOnlyList<string>>());
    }

    private static Dictionary<string, IReadOnlyList<string>> Groups(JsonObject node, string path, string field)
    {
        var groups = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (name, value) in node)
        {
            if (value is not JsonArray words || words.Count == 0 || words.Any(w => w is not JsonValue v || v.GetValueKind()
                    != JsonValueKind.String))
                throw new LoomDataException($"{path}: {field}.{name} must be a non-empty list of words");
            groups[name] = words.Select(w => w!.GetValue<string>().Trim().ToLowerInvariant()).ToList();
        }
        if (groups.Count == 0) throw new LoomDataException($"{path}: {field} names no word list");
        return groups;
    }
}
