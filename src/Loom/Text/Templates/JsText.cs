using System.Globalization;
using System.Text;

namespace Loom.Text.Templates;

/// <summary>
/// String and number conventions of the reference renderer (JavaScript): which characters are whitespace for
/// <c>trim</c>, how numbers print, how <c>JSON.stringify</c> quotes a string.
/// </summary>
internal static class JsText
{
    /// <summary>JavaScript's whitespace and line terminators (what <c>String.prototype.trim</c> removes).</summary>
    public static bool IsWhitespace(char c) => c <= 32
        ? c == 32 || c is >= '\t' and <= '\r'
        : c > 127 && (c == 160 || c == 5760 || c is >= (char)8192 and <= (char)8202 || c == 8232 || c == 8233 || c == 8239
            || c == 8287 || c == 12288 || c == 65279);

    public static string Trim(string s) => TrimEnd(TrimStart(s));

    public static string TrimStart(string s)
    {
        int i = 0;
        while (i < s.Length && IsWhitespace(s[i])) i++;
        return s[i..];
    }

    public static string TrimEnd(string s)
    {
        int i = s.Length;
        while (i > 0 && IsWhitespace(s[i - 1])) i--;
        return s[..i];
    }

    /// <summary>A double as JavaScript's <c>String(number)</c> writes it (<c>1</c>, <c>0.5</c>, <c>1e+21</c>).</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "Infinity" : "-Infinity";
        if (value == 0) return "0";
        var (negative, digits, point) = ShortestDigits(value);
        string body;
        int k = digits.Length;
        if (k <= point && point <= 21) body = digits + new string('0', point - k);
        else if (0 < point && point <= 21) body = digits[..point] + "." + digits[point..];
        else if (-6 < point && point <= 0) body = "0." + new string('0', -point) + digits;
        else
        {
            int exponent = point - 1;
            body = digits[..1] + (k > 1 ? "." + digits[1..] : "") + "e" + (exponent >= 0 ? "+" : "-") + Math.Abs(exponent);
        }
        return negative ? "-" + body : body;
    }

    /// <summary>The shortest round-trip digits of a non-zero double and where the decimal point goes.</summary>
    private static (bool Negative, string Digits, int Point) ShortestDigits(double value)
    {
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            r = r[..e];
        }
        int dot = r.IndexOf('.');
        string digits = dot < 0 ? r : r[..dot] + r[(dot + 1)..];
        int point = (dot < 0 ? r.Length : dot) + exponent;
        int leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0') leading++;
        digits = digits[leading..].TrimEnd('0');
        return (value < 0, digits.Length == 0 ? "0" : digits, point - leading);
    }

    /// <summary>A string quoted as <c>JSON.stringify</c> quotes it (non-ASCII kept, control characters escaped).</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    bool loneSurrogate = char.IsHighSurrogate(c) ? i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])
                        : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1]));
                    if (c < 0x20 || loneSurrogate) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
