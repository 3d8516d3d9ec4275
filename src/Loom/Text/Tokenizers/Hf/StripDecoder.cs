namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Strip": removes up to <paramref name="start"/> leading and <paramref name="stop"/> trailing
/// <paramref name="content"/> characters from every piece.</summary>
public sealed class StripDecoder(char content, int start, int stop) : Decoder
{
    /// <inheritdoc />
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(Strip).ToList();

    private string Strip(string token)
    {
        int from = 0, to = token.Length;
        while (from < to && from < start && token[from] == content) from++;
        while (to > from && token.Length - to < stop && token[to - 1] == content) to--;
        return token[from..to];
    }
}
