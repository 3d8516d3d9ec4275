using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Text.Templates;

/// <summary>
/// JSON in and out of templates: <see cref="FromJson"/> turns a context value into a <see cref="TemplateValue"/>
/// (a whole number becomes an integer), <see cref="Write"/> is the <c>tojson</c> filter (the reference's layout:
/// <c>", "</c> and <c>": "</c> without indent, one item a line with it).
/// </summary>
public static class TemplateJson
{
    /// <summary>The options of <c>tojson</c>.</summary>
    public sealed record Options(int? Indent = null, bool EnsureAscii = false, bool SortKeys = false,
        (string Item, string Key)? Separators = null);

    /// <summary>A JSON value as a template value (null and absent become none).</summary>
    public static TemplateValue FromJson(JsonNode? node) => node switch
    {
        null => TemplateValue.None,
        JsonObject o => new DictValue(new OrderedDictionary<string, TemplateValue>(
            o.Select(p => KeyValuePair.Create(p.Key, FromJson(p.Value))))),
        JsonArray a => new ListValue(a.Select(FromJson).ToList()),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => new StringValue(v.GetValue<string>()),
            JsonValueKind.True => TemplateValue.True,
            JsonValueKind.False => TemplateValue.False,
            JsonValueKind.Number => Number(v.GetValue<double>()),
            _ => TemplateValue.None,
        },
        _ => TemplateValue.None,
    };

    private static TemplateValue Number(double d) =>
        Math.Floor(d) == d && Math.Abs(d) < 9.2e18 ? new IntValue((long)d) : new FloatValue(d);

    /// <summary>Writes <paramref name="value"/> as the reference's <c>tojson</c> does.</summary>
    public static string Write(TemplateValue value, Options options, bool undefinedAsNull = true)
    {
        var sb = new StringBuilder();
        WriteValue(sb, value, options, 0, undefinedAsNull);
        return sb.ToString();
    }

    private static void WriteValue(StringBuilder sb, TemplateValue value, Options options, int depth, bool undefinedAsNull)
    {
        string item = options.Separators?.Item ?? (options.Indent is > 0 ? "," : ", ");
        string key = options.Separators?.Key ?? ": ";
        string indent = options.Indent is > 0 ? new string(' ', options.Indent.Value) : "";
        string padding = "\n" + string.Concat(Enumerable.Repeat(indent, depth));
        string childPadding = padding + indent;
        switch (value)
        {
            case NoneValue: sb.Append("null"); break;
            case UndefinedValue: sb.Append(undefinedAsNull ? "null" : "undefined"); break;
            case IntValue or BoolValue: sb.Append(value.ToString()); break;
            case FloatValue f: sb.Append(double.IsFinite(f.Value) ? JsText.Number(f.Value) : "null"); break;
            case StringValue s: sb.Append(Ascii(JsText.Quote(s.Value), options)); break;
            case ListValue list:
                sb.Append('[');
                for (int i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0) sb.Append(item);
                    if (indent.Length > 0) sb.Append(childPadding);
                    WriteValue(sb, list.Items[i], options, depth + 1, undefinedAsNull);
                }
                if (indent.Length > 0 && list.Items.Count > 0) sb.Append(padding);
                sb.Append(']');
                break;
            case DictValue dict:
                sb.Append('{');
                var entries = options.SortKeys
                    ? dict.Entries.OrderBy(e => e.Key, StringComparer.InvariantCulture).ToList() : dict.Entries.ToList();
                for (int i = 0; i < entries.Count; i++)
                {
                    if (i > 0) sb.Append(item);
                    if (indent.Length > 0) sb.Append(childPadding);
                    sb.Append(Ascii(JsText.Quote(entries[i].Key), options)).Append(key);
                    WriteValue(sb, entries[i].Value, options, depth + 1, undefinedAsNull);
                }
                if (indent.Length > 0 && entries.Count > 0) sb.Append(padding);
                sb.Append('}');
                break;
            default: throw new LoomDataException($"cannot convert {value.TypeName} to JSON");
        }
    }

    private static string Ascii(string quoted, Options options)
    {
        if (!options.EnsureAscii) return quoted;
        var sb = new StringBuilder(quoted.Length);
        foreach (char c in quoted)
            if (c >= 0x7f) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        return sb.ToString();
    }
}
