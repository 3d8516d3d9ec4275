namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Sequence": each pre-tokenizer splits every piece the previous one produced.</summary>
public sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizer> preTokenizers) : PreTokenizer
{
    /// <inheritdoc />
    public override void Split(string piece, bool atTextStart, List<string> output)
    {
        var pieces = new List<string> { piece };
        foreach (var preTokenizer in preTokenizers)
            pieces = preTokenizer.SplitAll(pieces, atTextStart);
        output.AddRange(pieces);
    }
}
