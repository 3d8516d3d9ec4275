namespace Loom.Text.Tokenizers.Hf;

/// <summary>"Sequence": the normalizers one after another.</summary>
public sealed class SequenceNormalizer(IReadOnlyList<Normalizer> normalizers) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text)
    {
        foreach (var normalizer in normalizers)
            text = normalizer.Normalize(text);
        return text;
    }
}
