using System.Text.Json.Nodes;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;

namespace Loom.Server.Text;

/// <summary>
/// Chosen tokens' log-probabilities (under the model, before sampling processors) in OpenAI's two shapes: chat's
/// <c>{"content":[{token, logprob, bytes, top_logprobs}]}</c> and completions' <c>{tokens, token_logprobs, top_logprobs,
/// text_offset}</c>. End tokens are left out, as OpenAI leaves them out.
/// </summary>
public sealed class TokenLogprobs(ITokenizer tokenizer, IReadOnlyCollection<int> endTokens, int alternatives)
{
    /// <summary>Chat's <c>logprobs</c> object for <paramref name="tokens"/>.</summary>
    public JsonObject Chat(IEnumerable<GeneratedToken> tokens) => new()
    {
        ["content"] = new JsonArray(Shown(tokens).Select(t => (JsonNode)new JsonObject
        {
            ["token"] = tokenizer.Decode([t.TokenId]),
            ["logprob"] = t.Logprob ?? 0,
            ["bytes"] = Bytes(t.TokenId),
            ["top_logprobs"] = new JsonArray(t.Alternatives.Take(alternatives).Select(a => (JsonNode)new JsonObject
            {
                ["token"] = a.Text, ["logprob"] = a.Logprob, ["bytes"] = Bytes(a.TokenId),
            }).ToArray()),
        }).ToArray()),
        ["refusal"] = null,
    };

    /// <summary>Completions' <c>logprobs</c> object; offsets count from <paramref name="offset"/> (the text before).</summary>
    public JsonObject Completion(IEnumerable<GeneratedToken> tokens, int offset)
    {
        var shown = Shown(tokens).ToList();
        var offsets = new JsonArray();
        foreach (var token in shown)
        {
            offsets.Add(offset);
            offset += tokenizer.Decode([token.TokenId]).Length;
        }
        return new JsonObject
        {
            ["tokens"] = new JsonArray(shown.Select(t => (JsonNode)JsonValue.Create(tokenizer.Decode([t.TokenId]))).ToArray()),
            ["token_logprobs"] = new JsonArray(shown.Select(t => (JsonNode)JsonValue.Create(t.Logprob ?? 0)).ToArray()),
            ["top_logprobs"] = new JsonArray(shown.Select(t =>
            {
                var top = new JsonObject();
                foreach (var a in t.Alternatives.Take(alternatives)) top[a.Text] = a.Logprob;
                return (JsonNode)top;
            }).ToArray()),
            ["text_offset"] = offsets,
        };
    }

    private IEnumerable<GeneratedToken> Shown(IEnumerable<GeneratedToken> tokens) =>
        tokens.Where(t => t.TokenId >= 0 && !endTokens.Contains(t.TokenId));

    private JsonArray Bytes(int tokenId) =>
        new(tokenizer.DecodeBytes([tokenId]).Select(b => (JsonNode)JsonValue.Create((int)b)).ToArray());
}
