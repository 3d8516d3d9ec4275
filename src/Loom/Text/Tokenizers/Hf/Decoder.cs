namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// A tokenizer.json "decoder": turns the token strings of some ids back into text pieces, each step of a chain
/// taking the previous step's pieces (HF's decode_chain); the pieces are finally concatenated. See <see cref="DecoderReader"/>.
/// </summary>
public abstract class Decoder
{
    /// <summary>The pieces <paramref name="tokens"/> become.</summary>
    public abstract List<string> DecodeChain(List<string> tokens);

    /// <summary>What this decoder makes of one token's text on its own when streaming raw bytes (only the character
    /// replacements; steps that join or strip pieces leave it alone).</summary>
    public virtual string RewriteToken(string token) => token;
}
