namespace Loom.Text.Tokenizers.Hf;

/// <summary>When <see cref="MetaspacePreTokenizer"/> puts its replacement character in front of a piece.</summary>
public enum PrependScheme
{
    /// <summary>Before every piece that does not already start with it.</summary>
    Always,

    /// <summary>Only before the piece that begins the text.</summary>
    First,

    /// <summary>Never.</summary>
    Never,
}

/// <summary>
/// "Metaspace" (SentencePiece style): spaces become <paramref name="replacement"/> ("▁"), which is prepended per
/// <paramref name="scheme"/>; with <paramref name="split"/> the text is cut before each replacement character.
/// </summary>
public sealed class MetaspacePreTokenizer(string replacement, PrependScheme scheme, bool split) : PreTokenizer
{
    private readonly CodePointRegex _replacement = new(System.Text.RegularExpressions.Regex.Escape(replacement));

    /// <inheritdoc />
    public override void Split(string piece, bool atTextStart, List<string> output)
    {
        piece = piece.Replace(" ", replacement, StringComparison.Ordinal);
        bool prepend = scheme == PrependScheme.Always || (scheme == PrependScheme.First && atTextStart);
        if (prepend && !piece.StartsWith(replacement, StringComparison.Ordinal))
            piece = replacement + piece;
        if (split)
            SplitBehaviors.Apply(piece, _replacement.Matches(piece), SplitBehavior.MergedWithNext, invert: false, output);
        else if (piece.Length > 0)
            output.Add(piece);
    }
}
