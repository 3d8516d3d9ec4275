using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// A regex that matches code points, as HF tokenizers' Oniguruma does, on top of .NET's UTF-16 <see cref="Regex"/>.
/// .NET sees a character outside the BMP (𝐀, emoji) as two surrogates that match neither <c>\p{L}</c> nor anything
/// else a pattern names; so text with surrogate pairs is matched in a stand-in string where each such character is one
/// BMP character of the same Unicode category, and the match positions are mapped back. Text without surrogates is
/// matched as it is.
/// </summary>
public sealed class CodePointRegex
{
    private readonly Regex _regex;

    /// <summary>Compiles <paramref name="pattern"/> (.NET syntax, which covers what tokenizer.json files use).</summary>
    public CodePointRegex(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    /// <summary>The pattern as given.</summary>
    public string Pattern { get; }

    /// <summary>The non-empty matches in <paramref name="text"/> as (start, end) UTF-16 positions, left to right.</summary>
    public List<(int Start, int End)> Matches(string text)
    {
        var result = new List<(int, int)>();
        if (text.Length == 0)
            return result;
        if (!HasSurrogates(text))
        {
            for (var m = _regex.Match(text); m.Success; m = m.NextMatch())
                if (m.Length > 0)
                    result.Add((m.Index, m.Index + m.Length));
            return result;
        }
        var (standIn, utf16Start) = StandIn(text);
        for (var m = _regex.Match(standIn); m.Success; m = m.NextMatch())
            if (m.Length > 0)
                result.Add((utf16Start[m.Index], utf16Start[m.Index + m.Length]));
        return result;
    }

    /// <summary>Replaces every match with <paramref name="replacement"/> (taken literally).</summary>
    public string Replace(string text, string replacement)
    {
        var matches = Matches(text);
        if (matches.Count == 0)
            return text;
        var builder = new StringBuilder(text.Length);
        int last = 0;
        foreach (var (start, end) in matches)
        {
            builder.Append(text, last, start - last).Append(replacement);
            last = end;
        }
        return builder.Append(text, last, text.Length - last).ToString();
    }

    private static bool HasSurrogates(string text)
    {
        foreach (var c in text)
            if (char.IsSurrogate(c))
                return true;
        return false;
    }

    /// <summary>One char per code point, and where each code point starts in the original (plus the end).</summary>
    private static (string StandIn, int[] Utf16Start) StandIn(string text)
    {
        var chars = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length;)
        {
            starts.Add(i);
            var rune = RuneText.At(text, i);
            chars.Append(rune.IsBmp ? (char)rune.Value : StandInFor(Rune.GetUnicodeCategory(rune)));
            i += rune.Utf16SequenceLength;
        }
        starts.Add(text.Length);
        return (chars.ToString(), starts.ToArray());
    }

    /// <summary>A non-ASCII BMP character of <paramref name="category"/>, so that category classes match as for the original.</summary>
    private static char StandInFor(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u0391',
        UnicodeCategory.LowercaseLetter => '\u03B1',
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u05D0',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u0488',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u2039',
        UnicodeCategory.FinalQuotePunctuation => '\u203A',
        UnicodeCategory.OtherPunctuation => '\u00B6',
        UnicodeCategory.MathSymbol => '\u2200',
        UnicodeCategory.CurrencySymbol => '\u20AC',
        UnicodeCategory.ModifierSymbol => '\u02C2',
        UnicodeCategory.OtherSymbol => '\u00A9',
        UnicodeCategory.Format => '\u2060',
        UnicodeCategory.PrivateUse => '\uE000',
        _ => '\u0378',
    };
}
