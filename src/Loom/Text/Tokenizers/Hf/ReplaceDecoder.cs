namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Replace": in every piece, matches of the pattern become <paramref name="content"/> (e.g. "▁" → " ").</summary>
public sealed class ReplaceDecoder(CodePointRegex pattern, string content) : Decoder
{
    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(RewriteToken).ToList();

    /// <inheritdoc />
    public override string RewriteToken(string token) => pattern.Replace(token, content);
}
