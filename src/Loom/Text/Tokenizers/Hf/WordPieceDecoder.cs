namespace Loom.Text.Tokenizers.Hf;

/// <summary>"WordPiece": tokens after the first lose <paramref name="prefix"/> ("##") or get a space in front;
/// <paramref name="cleanup"/> then removes the space before punctuation and English contractions.</summary>
public sealed class WordPieceDecoder(string prefix, bool cleanup) : Decoder
{
    private static readonly (string From, string To)[] Cleanups =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"),
        (" 've", "'ve"), (" 're", "'re"),
    ];

    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (i > 0)
                token = token.StartsWith(prefix, StringComparison.Ordinal) ? token[prefix.Length..] : " " + token;
            if (cleanup)
                foreach (var (from, to) in Cleanups)
                    token = token.Replace(from, to, StringComparison.Ordinal);
            output.Add(token);
        }
        return output;
    }
}
