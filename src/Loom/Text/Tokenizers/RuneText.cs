using System.Globalization;
using System.Text;
using Loom.Core;

namespace Loom.Text.Tokenizers;

/// <summary>Reads text one Unicode scalar value (rune) at a time, rejecting lone surrogates, and names runes in messages.</summary>
internal static class RuneText
{
    /// <summary>The rune starting at <paramref name="index"/>; a lone surrogate there is a <see cref="LoomDataException"/>.</summary>
    public static Rune At(ReadOnlySpan<char> text, int index, int offset = 0)
    {
        var status = Rune.DecodeFromUtf16(text[index..], out var rune, out _);
        if (status != System.Buffers.OperationStatus.Done)
            throw new LoomDataException(
                $"the text has a lone surrogate U+{(int)text[index]:X4} at position {index + offset}; it is not valid Unicode");
        return rune;
    }

    /// <summary>The distinct runes of <paramref name="text"/>, each as its string, in code point order.</summary>
    public static List<string> DistinctSorted(string text)
    {
        var seen = new SortedSet<int>();
        for (int i = 0; i < text.Length;)
        {
            var rune = At(text, i);
            seen.Add(rune.Value);
            i += rune.Utf16SequenceLength;
        }
        return seen.Select(v => new Rune(v).ToString()).ToList();
    }

    /// <summary>A rune as a message shows it: 'x' (U+0078), or only the code point for control and format characters.</summary>
    public static string Describe(Rune rune)
    {
        var category = Rune.GetUnicodeCategory(rune);
        bool printable = category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
        var code = $"U+{rune.Value:X4}";
        return printable ? $"'{rune}' ({code})" : code;
    }
}
