namespace Loom.Text.Tokenizers;

/// <summary>
/// Finds the begin- and end-of-document ids among special tokens by their usual names. GPT-2 and tiktoken use one
/// token, "&lt;|endoftext|&gt;", for both; a separate BOS name ("&lt;s&gt;", "&lt;|begin_of_text|&gt;", "&lt;bos&gt;") wins when present.
/// </summary>
public static class SpecialTokenRoles
{
    /// <summary>The text GPT-2-style tokenizers use to separate documents.</summary>
    public const string EndOfText = "<|endoftext|>";

    private static readonly string[] EosNames = [EndOfText, "</s>", "<|end_of_text|>", "<eos>", "<|eos|>"];
    private static readonly string[] BosNames = ["<s>", "<|begin_of_text|>", "<bos>", "<|bos|>", EndOfText];

    /// <summary>The BOS and EOS ids in <paramref name="specialTokens"/>, null where none of the usual names is there.</summary>
    public static (int? Bos, int? Eos) Find(IReadOnlyDictionary<string, int> specialTokens) =>
        (First(specialTokens, BosNames), First(specialTokens, EosNames));

    private static int? First(IReadOnlyDictionary<string, int> specialTokens, string[] names)
    {
        foreach (var name in names)
            if (specialTokens.TryGetValue(name, out var id))
                return id;
        return null;
    }
}
