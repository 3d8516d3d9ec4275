namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Replace": every match of a String or Regex pattern becomes <paramref name="content"/>.</summary>
public sealed class ReplaceNormalizer(CodePointRegex pattern, string content) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => pattern.Replace(text, content);
}
