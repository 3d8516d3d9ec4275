namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// HF tokenizers' WordPiece model (BERT): a piece is cut greedily into the longest vocabulary tokens from the left,
/// every token but the first spelt with <paramref name="prefix"/> ("##"); a piece that cannot be cut entirely, or is
/// longer than <paramref name="maxCharsPerWord"/> characters, is one unknown token.
/// </summary>
public sealed class WordPieceModel(
    IReadOnlyDictionary<string, int> vocab, int unkId, string prefix, int maxCharsPerWord) : TokenModel(vocab, byteFallback: false)
{
    private readonly Dictionary<string, int> _vocab = new(vocab, StringComparer.Ordinal);

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    /// <inheritdoc />
    protected override int[] EncodeUncached(string piece)
    {
        var boundaries = new List<int>(piece.Length + 1);
        for (int i = 0; i < piece.Length; i += RuneText.At(piece, i).Utf16SequenceLength)
            boundaries.Add(i);
        if (boundaries.Count > maxCharsPerWord)
            return [unkId];
        boundaries.Add(piece.Length);

        var ids = new List<int>();
        for (int from = 0; from < boundaries.Count - 1;)
        {
            int found = -1, foundAt = -1;
            for (int to = boundaries.Count - 1; to > from && found < 0; to--)
            {
                var text = piece[boundaries[from]..boundaries[to]];
                if (_vocab.TryGetValue(from > 0 ? prefix + text : text, out var id))
                    (found, foundAt) = (id, to);
            }
            if (found < 0)
                return [unkId];
            ids.Add(found);
            from = foundAt;
        }
        return ids.ToArray();
    }
}
