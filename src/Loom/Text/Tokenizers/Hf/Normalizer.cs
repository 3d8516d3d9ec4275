namespace Loom.Text.Tokenizers.Hf;

/// <summary>A tokenizer.json "normalizer": rewrites text before pre-tokenization (see <see cref="NormalizerReader"/>).</summary>
public abstract class Normalizer
{
    /// <summary>The normalized text.</summary>
    public abstract string Normalize(string text);
}
