using System.Text.RegularExpressions;

namespace Loom.Safety;

/// <summary>
/// Payment card numbers: 13–19 digits, optionally grouped by single spaces or dashes, that pass the Luhn check. A number
/// whose prefix belongs to a card network (Visa, Mastercard, American Express, Discover, JCB, Diners, UnionPay) scores
/// 0.95; a Luhn-valid number with another prefix scores 0.6 (one random digit string in ten passes Luhn).
/// </summary>
public sealed partial class PaymentCardDetector : IContentDetector
{
    public string Name => "payment-card";

    public IReadOnlyList<ContentFlag> Detect(string text)
    {
        var flags = new List<ContentFlag>();
        foreach (Match m in Candidate().Matches(text))
        {
            string digits = new(m.Value.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length is < 13 or > 19 || !PassesLuhn(digits))
                continue;
            flags.Add(new ContentFlag(ContentCategories.PaymentCard, KnownNetwork(digits) ? 0.95 : 0.6, m.Index, m.Length, Name));
        }
        return flags;
    }

    /// <summary>The Luhn (mod 10) checksum over a string of ASCII digits.</summary>
    public static bool PassesLuhn(string digits)
    {
        int sum = 0;
        for (int i = 0; i < digits.Length; i++)
        {
            int d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    private static bool KnownNetwork(string d)
    {
        int two = int.Parse(d[..2]), four = int.Parse(d[..4]), three = int.Parse(d[..3]);
        return d[0] == '4' && d.Length is 13 or 16 or 19
            || (two is >= 51 and <= 55 || four is >= 2221 and <= 2720) && d.Length == 16
            || two is 34 or 37 && d.Length == 15
            || (four == 6011 || two == 65 || three is >= 644 and <= 649) && d.Length is >= 16 and <= 19
            || two == 35 && four is >= 3528 and <= 3589 && d.Length is >= 16 and <= 19
            || (two is 36 or 38 || three is >= 300 and <= 305) && d.Length == 14
            || two == 62 && d.Length is >= 16 and <= 19;
    }

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")]
    private static partial Regex Candidate();
}
