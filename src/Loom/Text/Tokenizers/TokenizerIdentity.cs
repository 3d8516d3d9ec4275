using System.Text.Json.Nodes;

namespace Loom.Text.Tokenizers;

/// <summary>
/// Whether two tokenizers map text to the same ids: the same kind, vocabulary size and saved form (their tokenizer.json).
/// Two models trade logits over token ids (distillation, speculative decoding) only when this holds.
/// </summary>
public static class TokenizerIdentity
{
    public static bool Same(ITokenizer a, ITokenizer b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (ReferenceEquals(a, b)) return true;
        if (a.Kind != b.Kind || a.VocabSize != b.VocabSize) return false;
        return JsonNode.DeepEquals(TokenizerJsonNode.Capture(a), TokenizerJsonNode.Capture(b));
    }

    /// <summary>"char, 65 tokens": how an error names a tokenizer.</summary>
    public static string Describe(ITokenizer tokenizer) => $"{tokenizer.Kind}, {tokenizer.VocabSize} tokens";
}
