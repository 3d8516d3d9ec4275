using System.Text;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>"NFC", "NFD", "NFKC" and "NFKD": Unicode normalization to <paramref name="form"/>.</summary>
public sealed class UnicodeFormNormalizer(NormalizationForm form) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text) => text.IsNormalized(form) ? text : text.Normalize(form);
}
