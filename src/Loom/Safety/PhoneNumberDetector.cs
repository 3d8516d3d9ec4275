using System.Text.RegularExpressions;

namespace Loom.Safety;

/// <summary>
/// Telephone numbers as people write them: international (<c>+</c> and 8–15 digits, E.164) or national with separators
/// (e.g. <c>(555) 123-4567</c>, <c>020 7946 0958</c>, 9–12 digits). A bare run of digits with no <c>+</c> and no separator
/// is not reported (it is as likely an amount or an id), and neither is a date such as <c>2024-01-31</c>. International
/// numbers score 0.9, separated national ones 0.7.
/// </summary>
public sealed partial class PhoneNumberDetector : IContentDetector
{
    public string Name => "phone";

    public IReadOnlyList<ContentFlag> Detect(string text)
    {
        var flags = new List<ContentFlag>();
        foreach (Match m in Candidate().Matches(text))
        {
            string value = m.Value;
            int digits = value.Count(char.IsAsciiDigit);
            bool international = value.StartsWith('+');
            bool separated = value.Any(c => c is ' ' or '-' or '.' or '(' or ')');
            if (international ? digits is < 8 or > 15 : !separated || digits is < 9 or > 12 || DateLike().IsMatch(value))
                continue;
            flags.Add(new ContentFlag(ContentCategories.Phone, international ? 0.9 : 0.7, m.Index, m.Length, Name));
        }
        return flags;
    }

    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{1,4}){1,5}(?![\w])|(?<![\w+])\+\d{8,15}(?!\w)")]
    private static partial Regex Candidate();

    [GeneratedRegex(@"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")]
    private static partial Regex DateLike();
}
