namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Metaspace": the replacement character becomes a space, and the space it put at the very start goes again
/// (unless the prepend scheme is "never").</summary>
public sealed class MetaspaceDecoder(string replacement, PrependScheme scheme) : Decoder
{
    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            var text = RewriteToken(tokens[i]);
            if (i == 0 && scheme != PrependScheme.Never && text.StartsWith(' '))
                text = text[1..];
            output.Add(text);
        }
        return output;
    }

    /// <inheritdoc />
    public override string RewriteToken(string token) => token.Replace(replacement, " ", StringComparison.Ordinal);
}
