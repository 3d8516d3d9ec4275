namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Lowercase": every character to lower case (culture-invariant).</summary>
public sealed class LowercaseNormalizer : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => text.ToLowerInvariant();
}
