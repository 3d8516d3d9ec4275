using System.Text.Json.Nodes;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>Small inline tokenizer.json files for component tests: a BPE model over <c>vocab</c> and <c>merges</c>,
/// with whichever pipeline parts a test names, written to a temp folder and read by <see cref="TokenizerFiles.Load"/>.</summary>
public static class TinyHfJson
{
    public static JsonObject Model(string[] vocab, string[] merges, JsonObject? extra = null)
    {
        var model = new JsonObject
        {
            ["type"] = "BPE",
            ["vocab"] = new JsonObject(vocab.Select((t, i) => KeyValuePair.Create(t, (JsonNode?)JsonValue.Create(i)))),
            ["merges"] = new JsonArray(merges.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
        };
        foreach (var (key, value) in extra ?? [])
            model[key] = value?.DeepClone();
        return model;
    }

    public static JsonObject File(
        JsonObject model, string? normalizer = null, string? preTokenizer = null, string? decoder = null,
        string? postProcessor = null, string? addedTokens = null) => new()
        {
            ["added_tokens"] = addedTokens is null ? new JsonArray() : JsonNode.Parse(addedTokens),
            ["normalizer"] = normalizer is null ? null : JsonNode.Parse(normalizer),
            ["pre_tokenizer"] = preTokenizer is null ? null : JsonNode.Parse(preTokenizer),
            ["post_processor"] = postProcessor is null ? null : JsonNode.Parse(postProcessor),
            ["decoder"] = decoder is null ? null : JsonNode.Parse(decoder),
            ["model"] = model,
        };

    /// <summary>Writes <paramref name="json"/> as tokenizer.json and loads it.</summary>
    public static ITokenizer Load(JsonObject json)
    {
        using var folder = new TempFolder();
        System.IO.File.WriteAllText(folder.File("tokenizer.json"), json.ToJsonString());
        return TokenizerFiles.Load(folder.Path);
    }

    public static HfTokenizer LoadHf(JsonObject json) => Assert.IsType<HfTokenizer>(Load(json));

    /// <summary>Every single character of <paramref name="text"/> and every prefix-free piece a test needs, as a vocabulary.</summary>
    public static string[] Letters(string text) => text.Select(c => c.ToString()).Distinct().ToArray();
}
