using System.Text;
using Loom.Core;

namespace Loom.Data.Tables;

/// <summary>RFC 4180 CSV: comma-separated fields, double-quoted fields may hold commas, quotes ("") and line breaks.</summary>
public static class CsvText
{
    /// <summary>The records of <paramref name="text"/> (blank lines skipped); <paramref name="source"/> names it in errors.</summary>
    public static List<string[]> Parse(string text, string source)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, fieldStarted = false;
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (quoted)
            throw new LoomDataException($"{source}: line {line}: a quoted field is not closed");
        EndRecord();
        return records;

        void EndRecord()
        {
            if (fieldStarted || field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                records.Add(fields.ToArray());
            }
            fields.Clear();
            field.Clear();
            fieldStarted = false;
        }
    }

    /// <summary>One CSV record: fields with commas, quotes or line breaks are quoted.</summary>
    public static string Format(IEnumerable<string> fields) => string.Join(",", fields.Select(Quote));

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
