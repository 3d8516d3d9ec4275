using System.Text;
using Loom.Core;

namespace Loom.Models.Markov;

/// <summary>
/// Tokens of an n-gram model. Id 0 is the begin-of-text padding (never predicted), id 1 is &lt;unk&gt; (any token
/// not seen in training); the rest are the training tokens in ordinal order.
/// </summary>
public sealed class NGramVocabulary
{
    public const int Bos = 0;
    public const int Unk = 1;
    public const int MaxSize = 65000;

    private readonly Dictionary<string, int> ids;

    public NGramVocabulary(IReadOnlyList<string> tokens, TokenLevel level)
    {
        Level = level;
        Tokens = tokens;
        ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 2; i < tokens.Count; i++)
            ids[tokens[i]] = i;
        if (tokens.Count > MaxSize)
            throw new LoomDataException($"the vocabulary has {tokens.Count} distinct tokens; n-gram models support at most {MaxSize}");
    }

    public TokenLevel Level { get; }
    /// <summary>All tokens by id (including the two specials).</summary>
    public IReadOnlyList<string> Tokens { get; }
    public int Size => Tokens.Count;

    public static NGramVocabulary Build(IEnumerable<string> tokens, TokenLevel level)
    {
        var distinct = tokens.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new NGramVocabulary(["<s>", "<unk>", .. distinct], level);
    }

    public int Id(string token) => ids.TryGetValue(token, out var id) ? id : Unk;

    public int[] Encode(string text) => Split(text, Level).Select(Id).ToArray();

    /// <summary>Joins tokens back into text: characters are concatenated, words joined by spaces except around newlines.</summary>
    public string Decode(IEnumerable<int> tokenIds)
    {
        var sb = new StringBuilder();
        string? previous = null;
        foreach (var id in tokenIds)
        {
            var token = Tokens[id];
            if (Level == TokenLevel.Word && previous is not null && previous != "\n" && token != "\n")
                sb.Append(' ');
            sb.Append(token);
            previous = token;
        }
        return sb.ToString();
    }

    /// <summary>Characters (by Unicode scalar value) or words with newlines as their own tokens.</summary>
    public static IEnumerable<string> Split(string text, TokenLevel level)
    {
        if (level == TokenLevel.Char)
        {
            foreach (var rune in text.Replace("\r\n", "\n").EnumerateRunes())
                yield return rune.ToString();
            yield break;
        }
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (var word in lines[i].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                yield return word;
            if (i < lines.Length - 1)
                yield return "\n";
        }
    }
}
