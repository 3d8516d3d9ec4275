namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Strip": removes whitespace at the start (<paramref name="left"/>) and/or end (<paramref name="right"/>).</summary>
public sealed class StripNormalizer(bool left, bool right) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => (left, right) switch
    {
        (true, true) => text.Trim(),
        (true, false) => text.TrimStart(),
        (false, true) => text.TrimEnd(),
        _ => text,
    };
}
