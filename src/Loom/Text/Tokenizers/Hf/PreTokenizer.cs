namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// A tokenizer.json "pre_tokenizer": cuts normalized text into pieces the model encodes one by one (merges never cross
/// a piece boundary), possibly rewriting them (ByteLevel spells bytes, Metaspace replaces spaces). See
/// <see cref="PreTokenizerReader"/>.
/// </summary>
public abstract class PreTokenizer
{
    /// <summary>Appends the pieces of <paramref name="piece"/> to <paramref name="output"/>; <paramref name="atTextStart"/>
    /// says the piece begins the whole input text (Metaspace's "first" scheme).</summary>
    public abstract void Split(string piece, bool atTextStart, List<string> output);

    /// <summary>Every piece of <paramref name="pieces"/> split in turn; the first one begins the text when
    /// <paramref name="atTextStart"/>.</summary>
    public List<string> SplitAll(List<string> pieces, bool atTextStart)
    {
        var output = new List<string>(pieces.Count * 2);
        for (int i = 0; i < pieces.Count; i++)
            Split(pieces[i], atTextStart && i == 0, output);
        return output;
    }
}
