using Loom.Core;

namespace Loom.Data;

/// <summary>
/// A text split into a training part and a held-out validation part: the last <c>validationFraction</c> of the
/// characters is validation, as nanoGPT does (split index ⌊n·(1−f)⌋, moved back one when it would cut a surrogate pair).
/// </summary>
/// <param name="Train">The leading part.</param>
/// <param name="Validation">The trailing part (empty when the fraction is 0).</param>
public sealed record TextCorpus(string Train, string Validation)
{
    /// <summary>nanoGPT's default: the last 10% is validation.</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <summary>Splits <paramref name="text"/>; the fraction must be in [0, 1).</summary>
    public static TextCorpus Split(string text, double validationFraction = DefaultValidationFraction)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw LoomUsageException.ForOption("ValidationFraction", $"must be in [0, 1), got {validationFraction}");
        int cut = (int)Math.Floor(text.Length * (1 - validationFraction));
        if (cut > 0 && cut < text.Length && char.IsLowSurrogate(text[cut]) && char.IsHighSurrogate(text[cut - 1]))
            cut--;
        if (cut == 0)
            throw new LoomDataException($"the text has {text.Length} characters; nothing is left for training after the validation split");
        return new TextCorpus(text[..cut], text[cut..]);
    }

    /// <summary>Reads a strict UTF-8 file (see <see cref="TextFile"/>) and splits it.</summary>
    public static TextCorpus Load(string path, double validationFraction = DefaultValidationFraction) =>
        Split(TextFile.Read(path), validationFraction);
}
