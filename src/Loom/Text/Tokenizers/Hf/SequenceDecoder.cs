namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Sequence": the decoders one after another.</summary>
public sealed class SequenceDecoder(IReadOnlyList<Decoder> decoders) : Decoder
{
    /// <summary>The decoders in order.</summary>
    public IReadOnlyList<Decoder> Decoders => decoders;

    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var decoder in decoders)
            tokens = decoder.DecodeChain(tokens);
        return tokens;
    }
}
