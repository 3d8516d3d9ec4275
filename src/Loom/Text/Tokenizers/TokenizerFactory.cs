using System.Globalization;
using Loom.Core;

namespace Loom.Text.Tokenizers;

/// <summary>
/// Makes a tokenizer from a command-line spec: "char" (the training text's characters), "bpe:N" (byte-level BPE
/// trained to N tokens, "&lt;|endoftext|&gt;" included as id 0), or "tiktoken" / "o200k" (OpenAI's o200k_base).
/// </summary>
public static class TokenizerFactory
{
    /// <summary>The specs <see cref="Create"/> accepts, for messages and help text.</summary>
    public const string ValidSpecs = "char, bpe:N (N ≥ 257), tiktoken, o200k";

    /// <summary>Builds (trains where the spec needs it) the tokenizer <paramref name="spec"/> names.</summary>
    public static ITokenizer Create(string spec, string trainingText)
    {
        var s = (spec ?? "").Trim().ToLowerInvariant();
        switch (s)
        {
            case "char":
                return CharTokenizer.Train(trainingText);
            case "tiktoken" or "o200k" or "o200k_base" or "tiktoken:o200k_base":
                return TiktokenTokenizer.O200kBase();
        }
        if (s.StartsWith("bpe:", StringComparison.Ordinal))
        {
            if (!int.TryParse(s[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < 257)
                throw new LoomUsageException($"tokenizer '{spec}': N in bpe:N must be a whole number ≥ 257 (256 bytes + <|endoftext|>)");
            if (trainingText.Length == 0)
                throw new LoomDataException($"tokenizer '{spec}': the training text is empty");
            return ByteLevelBpeTokenizer.Train(trainingText, size, [SpecialTokenRoles.EndOfText]);
        }
        throw new LoomUsageException($"unknown tokenizer '{spec}'; valid: {ValidSpecs}");
    }
}
