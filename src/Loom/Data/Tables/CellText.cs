using System.Globalization;

namespace Loom.Data.Tables;

/// <summary>How table cells are read: missing-value tokens, numbers, booleans and dates.</summary>
public static class CellText
{
    private static readonly HashSet<string> MissingTokens =
        new(StringComparer.OrdinalIgnoreCase) { "", "NA", "NaN", "null", "None", "N/A" };
    private static readonly HashSet<string> TrueWords = new(StringComparer.OrdinalIgnoreCase) { "true", "yes", "t", "y" };
    private static readonly HashSet<string> FalseWords = new(StringComparer.OrdinalIgnoreCase) { "false", "no", "f", "n" };

    /// <summary>Datetime formats detection tries, most specific first.</summary>
    public static IReadOnlyList<string> DatetimeFormats { get; } =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd", "MM/dd/yyyy", "dd.MM.yyyy",
    ];

    /// <summary>True for an empty cell or a missing-value token (NA, NaN, null, None, N/A).</summary>
    public static bool IsMissing(string cell) => MissingTokens.Contains(cell.Trim());

    public static bool TryNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static bool TryInteger(string cell, out double value) =>
        TryNumber(cell, out value) && value == Math.Floor(value) && Math.Abs(value) < 1e15
        && !cell.Contains('e', StringComparison.OrdinalIgnoreCase);

    public static bool IsBoolean(string cell) => TrueWords.Contains(cell) || FalseWords.Contains(cell);

    /// <summary>Digits after the decimal point of a plain decimal number (0 for integers and exponent notation).</summary>
    public static int DecimalPlaces(string cell)
    {
        if (cell.Contains('e', StringComparison.OrdinalIgnoreCase)) return 0;
        int dot = cell.IndexOf('.');
        return dot < 0 ? 0 : cell.Length - dot - 1;
    }

    /// <summary>Parses a date in <paramref name="format"/> as seconds since 1970-01-01 (the time read as UTC).</summary>
    public static bool TryDatetime(string cell, string format, out double seconds)
    {
        seconds = 0;
        if (!DateTime.TryParseExact(cell, format, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return false;
        seconds = (time - DateTime.UnixEpoch).TotalSeconds;
        return true;
    }

    /// <summary>Seconds since 1970 written in <paramref name="format"/>.</summary>
    public static string FormatDatetime(double seconds, string format) =>
        DateTime.UnixEpoch.AddSeconds(Math.Round(seconds)).ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The smallest step a datetime format can show, in seconds (a day for dates, a minute or a second for times).</summary>
    public static double DatetimeResolution(string format) =>
        format.Contains('s') ? 1 : format.Contains('m') && format.Contains('H') ? 60 : format.Contains('H') ? 3600 : 86400;

    /// <summary>A number written with at most <paramref name="decimals"/> places, invariant culture, no exponent.</summary>
    public static string FormatNumber(double value, int decimals) =>
        Math.Round(value, Math.Min(decimals, 15), MidpointRounding.ToEven)
            .ToString(decimals == 0 ? "0" : "0." + new string('#', Math.Min(decimals, 15)), CultureInfo.InvariantCulture);
}
