using System.Numerics;
using System.Text.RegularExpressions;

namespace Loom.Safety;

/// <summary>
/// International bank account numbers (ISO 13616): a country code, two check digits and the national part, printed whole
/// or in groups of four. A candidate counts when its length is the one its country uses and the mod-97 check gives 1.
/// </summary>
public sealed partial class IbanDetector : IContentDetector
{
    private static readonly Dictionary<string, int> LengthByCountry = ParseLengths(
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 FO18 "
        + "FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 "
        + "LV21 LY25 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SD18 SE24 "
        + "SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20");

    public string Name => "iban";

    public IReadOnlyList<ContentFlag> Detect(string text)
    {
        var flags = new List<ContentFlag>();
        foreach (Match m in Candidate().Matches(text))
        {
            string compact = m.Value.Replace(" ", "");
            // The grouped form may have swallowed a following word; shorten to the country's length at a group edge.
            if (!LengthByCountry.TryGetValue(compact[..2], out int length) || compact.Length < length)
                continue;
            int end = CharsForLength(m.Value, length);
            if (end < m.Value.Length && m.Value[end] != ' ')
                continue;
            if (IsValid(compact[..length]))
                flags.Add(new ContentFlag(ContentCategories.Iban, 0.95, m.Index, end, Name));
        }
        return flags;
    }

    /// <summary>The mod-97 check of ISO 7064 on an IBAN without spaces (country code first).</summary>
    public static bool IsValid(string iban)
    {
        if (iban.Length < 5 || !LengthByCountry.TryGetValue(iban[..2], out int length) || iban.Length != length)
            return false;
        var rearranged = iban[4..] + iban[..4];
        var number = new System.Text.StringBuilder();
        foreach (char c in rearranged)
        {
            if (char.IsAsciiDigit(c)) number.Append(c);
            else if (char.IsAsciiLetterUpper(c)) number.Append(c - 'A' + 10);
            else return false;
        }
        return BigInteger.Parse(number.ToString()) % 97 == 1;
    }

    private static int CharsForLength(string grouped, int length)
    {
        int seen = 0;
        for (int i = 0; i < grouped.Length; i++)
            if (grouped[i] != ' ' && ++seen == length)
                return i + 1;
        return grouped.Length;
    }

    private static Dictionary<string, int> ParseLengths(string table) =>
        table.Split(' ').ToDictionary(e => e[..2], e => int.Parse(e[2..]));

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)\b")]
    private static partial Regex Candidate();
}
