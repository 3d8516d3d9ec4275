namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Fuse": all pieces become one.</summary>
public sealed class FuseDecoder : Decoder
{
    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}
