using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Loom.Text.Tokenizers;

namespace Loom.Server.Text;

/// <summary>
/// A completions request's <c>prompt</c> as token ids: a string, an array of strings, an array of token ids or an array
/// of such arrays (at most <see cref="MaxPrompts"/> prompts). Text is encoded by the model's tokenizer, as is.
/// </summary>
public static class CompletionPrompts
{
    public const int MaxPrompts = 16;

    public static List<IReadOnlyList<int>> Read(JsonRequest request, ITokenizer tokenizer)
    {
        var node = request.Node("prompt") ?? throw ApiError.BadField("prompt", "Missing required parameter: 'prompt'.",
            "missing_required_parameter");
        if (IsString(node)) return [Encode(node, tokenizer)];
        if (node is not JsonArray array || array.Count == 0)
            throw JsonRequest.WrongType("prompt", "a string, an array of strings, an array of token ids or an array of those");
        if (array.All(e => e is not null && e.GetValueKind() == JsonValueKind.Number)) return [Ids(array, tokenizer)];
        if (array.Count > MaxPrompts)
            throw ApiError.BadField("prompt", $"At most {MaxPrompts} prompts per request (got {array.Count}).", "invalid_value");
        return array.Select(e => e switch
        {
            _ when e is not null && IsString(e) => Encode(e, tokenizer),
            JsonArray ids when ids.Count > 0 && ids.All(i => i is not null && i.GetValueKind() == JsonValueKind.Number) =>
                Ids(ids, tokenizer),
            _ => throw JsonRequest.WrongType("prompt", "a string, an array of strings, an array of token ids or an array of those"),
        }).ToList();
    }

    private static bool IsString(JsonNode node) => node.GetValueKind() == JsonValueKind.String;

    private static IReadOnlyList<int> Encode(JsonNode text, ITokenizer tokenizer)
    {
        var value = text.GetValue<string>();
        return value.Length == 0 ? [] : tokenizer.Encode(value);
    }

    private static IReadOnlyList<int> Ids(JsonArray ids, ITokenizer tokenizer) => ids.Select(i =>
        i!.AsValue().TryGetValue(out int id) && id >= 0 && id < tokenizer.VocabSize ? id
        : throw ApiError.BadField("prompt", $"Invalid token id {i} in 'prompt': this model's ids are 0 to {tokenizer.VocabSize - 1}.",
            "invalid_value")).ToList();
}
