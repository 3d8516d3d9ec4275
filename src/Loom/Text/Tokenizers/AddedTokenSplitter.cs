namespace Loom.Text.Tokenizers;

/// <summary>A piece of text: ordinary text to tokenize (<see cref="TokenId"/> = -1) or one added token's match.</summary>
internal readonly record struct TextSegment(int Start, int Length, int TokenId)
{
    public bool IsOrdinary => TokenId < 0;
}

/// <summary>
/// Cuts added tokens out of text before ordinary tokenization: scanning left to right, the longest added token that
/// starts at a position wins (leftmost-longest), honouring each token's lstrip, rstrip and single-word flags.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ThenBy(t => t.Id).ToArray());
    }

    /// <summary>The segments of <paramref name="text"/> in order; special tokens are only cut out when
    /// <paramref name="includeSpecial"/>.</summary>
    public List<TextSegment> Split(string text, bool includeSpecial)
    {
        var segments = new List<TextSegment>();
        int last = 0;
        if (_byFirstChar.Count > 0)
        {
            for (int i = 0; i < text.Length;)
            {
                var token = LongestAt(text, i, includeSpecial);
                if (token is null)
                {
                    i++;
                    continue;
                }
                int start = i, end = i + token.Content.Length;
                if (token.LStrip)
                    while (start > last && char.IsWhiteSpace(text[start - 1])) start--;
                if (token.RStrip)
                    while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
                if (start > last)
                    segments.Add(new TextSegment(last, start - last, -1));
                segments.Add(new TextSegment(start, end - start, token.Id));
                last = i = end;
            }
        }
        if (last < text.Length)
            segments.Add(new TextSegment(last, text.Length - last, -1));
        return segments;
    }

    private AddedToken? LongestAt(string text, int index, bool includeSpecial)
    {
        if (!_byFirstChar.TryGetValue(text[index], out var candidates))
            return null;
        var rest = text.AsSpan(index);
        foreach (var token in candidates)
        {
            if (token.Special && !includeSpecial)
                continue;
            if (!rest.StartsWith(token.Content, StringComparison.Ordinal))
                continue;
            if (token.SingleWord && !StandsAlone(text, index, index + token.Content.Length))
                continue;
            return token;
        }
        return null;
    }

    private static bool StandsAlone(string text, int start, int end) =>
        (start == 0 || !IsWordChar(text[start - 1])) && (end == text.Length || !IsWordChar(text[end]));

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
