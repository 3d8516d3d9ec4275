namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Prepend": puts <paramref name="prefix"/> before non-empty text (SentencePiece's "▁" at the start).</summary>
public sealed class PrependNormalizer(string prefix) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}
