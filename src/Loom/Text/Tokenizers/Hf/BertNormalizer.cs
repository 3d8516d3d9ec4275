using System.Globalization;
using System.Text;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// "BertNormalizer": <paramref name="cleanText"/> drops NUL, U+FFFD and control characters and turns whitespace into
/// spaces; <paramref name="chineseChars"/> puts spaces around CJK ideographs; <paramref name="stripAccents"/> removes
/// combining marks after NFD; <paramref name="lowercase"/> lower-cases.
/// </summary>
public sealed class BertNormalizer(bool cleanText, bool chineseChars, bool stripAccents, bool lowercase) : Normalizer
{
    /// <inheritdoc />
    public override string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            var rune = RuneText.At(text, i);
            i += rune.Utf16SequenceLength;
            if (cleanText && (rune.Value == 0 || rune.Value == 0xFFFD || IsControl(rune)))
                continue;
            if (cleanText && IsWhitespace(rune))
                builder.Append(' ');
            else if (chineseChars && IsChinese(rune.Value))
                builder.Append(' ').Append(rune.ToString()).Append(' ');
            else
                builder.Append(rune.ToString());
        }
        var result = builder.ToString();
        if (stripAccents)
            result = string.Concat(result.Normalize(NormalizationForm.FormD)
                .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark));
        return lowercase ? result.ToLowerInvariant() : result;
    }

    private static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune)
        is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static bool IsChinese(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B920 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
