using System.Text.RegularExpressions;

namespace Loom.Evaluation.Text;

/// <summary>
/// The "13a" tokenizer of mteval-v13a.pl, sacrebleu's default for BLEU: drops <c>&lt;skipped&gt;</c>, joins lines,
/// unescapes four HTML entities, splits off punctuation and symbols, splits periods and commas except inside numbers,
/// splits a dash after a digit, and collapses whitespace.
/// </summary>
public static partial class Tokenizer13a
{
    // Symbols: { to ~, [ to `, space to &, ( to +, : to @, and /.
    [GeneratedRegex(@"([{-~\[-\x60 -&(-+:-@/])")]
    private static partial Regex Symbols();

    [GeneratedRegex(@"([^0-9])([.,])")]
    private static partial Regex PeriodCommaAfterNonDigit();

    [GeneratedRegex(@"([.,])([^0-9])")]
    private static partial Regex PeriodCommaBeforeNonDigit();

    [GeneratedRegex(@"([0-9])(-)")]
    private static partial Regex DashAfterDigit();

    private static readonly char[] Whitespace = [' ', '\t', '\n', '\r', '\f', '\v'];

    public static IReadOnlyList<string> Tokenize(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ");
        if (line.Contains('&'))
            line = line.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        line = " " + line + " ";
        line = Symbols().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return line.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);
    }
}
