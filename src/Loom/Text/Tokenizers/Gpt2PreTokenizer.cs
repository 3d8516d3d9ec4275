using System.Text;

namespace Loom.Text.Tokenizers;

/// <summary>
/// Splits text into the pieces GPT-2's pre-tokenization pattern
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> matches, without a regex engine.
/// It works on code points (as Oniguruma does in HF tokenizers), so a letter outside the BMP is a letter, where .NET's
/// UTF-16 <c>Regex</c> would see two surrogates. Byte-level BPE merges never cross a piece boundary.
/// </summary>
public static class Gpt2PreTokenizer
{
    private enum CharClass { Letter, Number, Space, Other }

    /// <summary>The pieces of <paramref name="text"/> as (start, length) in UTF-16 units.</summary>
    public static List<(int Start, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int, int)>();
        for (int i = 0; i < text.Length;)
        {
            int end = NextPieceEnd(text, i);
            pieces.Add((i, end - i));
            i = end;
        }
        return pieces;
    }

    /// <summary>Where the piece that starts at <paramref name="start"/> ends (exclusive); <paramref name="offset"/> only shifts positions
    /// in error messages.</summary>
    public static int NextPieceEnd(ReadOnlySpan<char> text, int start, int offset = 0)
    {
        int contraction = ContractionLength(text, start);
        if (contraction > 0)
            return start + contraction;

        var first = Classify(text, start, offset, out int firstLength);
        if (first != CharClass.Space)
            return RunEnd(text, start, first, offset);

        // " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+" may begin with one plain space.
        if (text[start] == ' ' && start + 1 < text.Length)
        {
            var next = Classify(text, start + 1, offset, out _);
            if (next != CharClass.Space)
                return RunEnd(text, start + 1, next, offset);
        }

        // "\s+(?!\S)": the whitespace run, less its last character when a non-space follows; "\s+" when that leaves nothing.
        int runEnd = RunEnd(text, start, CharClass.Space, offset);
        if (runEnd == text.Length)
            return runEnd;
        return runEnd - start > firstLength ? runEnd - LastRuneLength(text, runEnd) : runEnd;
    }

    /// <summary>Length of "'s", "'t", "'re", "'ve", "'m", "'ll" or "'d" at <paramref name="i"/>, 0 when none is there.</summary>
    private static int ContractionLength(ReadOnlySpan<char> text, int i)
    {
        if (text[i] != '\'' || i + 1 >= text.Length)
            return 0;
        char a = text[i + 1];
        if (a is 's' or 't' or 'm' or 'd')
            return 2;
        if (i + 2 < text.Length)
        {
            char b = text[i + 2];
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
                return 3;
        }
        return 0;
    }

    private static int RunEnd(ReadOnlySpan<char> text, int i, CharClass cls, int offset)
    {
        while (i < text.Length && Classify(text, i, offset, out int length) == cls)
            i += length;
        return i;
    }

    private static int LastRuneLength(ReadOnlySpan<char> text, int end) =>
        end >= 2 && char.IsLowSurrogate(text[end - 1]) && char.IsHighSurrogate(text[end - 2]) ? 2 : 1;

    private static CharClass Classify(ReadOnlySpan<char> text, int i, int offset, out int length)
    {
        char c = text[i];
        if (c < 0x80)
        {
            length = 1;
            if ((uint)((c | 0x20) - 'a') <= 'z' - 'a') return CharClass.Letter;
            if ((uint)(c - '0') <= 9) return CharClass.Number;
            if (c == ' ' || (c >= '\t' && c <= '\r')) return CharClass.Space;
            return CharClass.Other;
        }
        var rune = RuneText.At(text, i, offset);
        length = rune.Utf16SequenceLength;
        if (Rune.IsLetter(rune)) return CharClass.Letter;
        if (Rune.IsNumber(rune)) return CharClass.Number;
        if (Rune.IsWhiteSpace(rune)) return CharClass.Space;
        return CharClass.Other;
    }
}
