using System.Text.RegularExpressions;

namespace Loom.Text.Templates;

/// <summary>
/// Attributes of values: string methods (<c>strip</c>, <c>split</c>, <c>startswith</c>, ...), dict methods
/// (<c>items</c>, <c>keys</c>, <c>values</c>, <c>get</c>, <c>dictsort</c>) and <c>length</c> of strings and lists.
/// As in the reference, <c>strip</c>, <c>lstrip</c> and <c>rstrip</c> remove whitespace and ignore an argument.
/// </summary>
internal static partial class TemplateMethods
{
    public static TemplateValue Attribute(TemplateValue target, string name) => target switch
    {
        StringValue s => StringAttribute(s.Value, name),
        ListValue l when name == "length" => new IntValue(l.Items.Count),
        DictValue { IsNamespace: false } d => DictAttribute(d, name),
        _ => TemplateValue.Undefined,
    };

    private static FunctionValue Method(Func<CallArguments, TemplateValue> call) => new(call);

    private static TemplateValue StringAttribute(string s, string name) => name switch
    {
        "upper" => Method(_ => new StringValue(s.ToUpperInvariant())),
        "lower" => Method(_ => new StringValue(s.ToLowerInvariant())),
        "strip" => Method(_ => new StringValue(JsText.Trim(s))),
        "lstrip" => Method(_ => new StringValue(JsText.TrimStart(s))),
        "rstrip" => Method(_ => new StringValue(JsText.TrimEnd(s))),
        "title" => Method(_ => new StringValue(Title(s))),
        "capitalize" => Method(_ => new StringValue(Capitalize(s))),
        "length" => new IntValue(s.Length),
        "startswith" => Method(a => TemplateValue.Of(Affix(s, a, "startswith", (x, p) => x.StartsWith(p, StringComparison.Ordinal)))),
        "endswith" => Method(a => TemplateValue.Of(Affix(s, a, "endswith", (x, p) => x.EndsWith(p, StringComparison.Ordinal)))),
        "split" => Method(a => Split(s, a)),
        "replace" => Method(a => Replace(s, a)),
        _ => TemplateValue.Undefined,
    };

    public static string Title(string s) => WordStart().Replace(s, m => m.Value.ToUpperInvariant());

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static bool Affix(string s, CallArguments args, string name, Func<string, string, bool> test)
    {
        if (args.Positional.Count == 0) throw new TemplateRenderException($"{name}() requires at least one argument");
        return args.Positional[0] switch
        {
            StringValue p => test(s, p.Value),
            ListValue list => list.Items.Any(i => i is StringValue p
                ? test(s, p.Value) : throw new TemplateRenderException($"{name}() tuple elements must be strings")),
            _ => throw new TemplateRenderException($"{name}() argument must be a string or tuple of strings"),
        };
    }

    private static TemplateValue Split(string s, CallArguments args)
    {
        var separator = args.Get(0, "sep") ?? TemplateValue.None;
        long maxSplit = (args.Get(1, "maxsplit") ?? new IntValue(-1)) is IntValue m
            ? m.Value : throw new TemplateRenderException("maxsplit argument must be a number");
        var parts = new List<string>();
        if (separator is NoneValue)
        {
            string text = JsText.TrimStart(s);
            foreach (Match word in NonSpace().Matches(text))
            {
                if (maxSplit >= 0 && parts.Count >= maxSplit) { parts.Add(text[word.Index..]); break; }
                parts.Add(word.Value);
            }
        }
        else if (separator is StringValue sep)
        {
            if (sep.Value.Length == 0) throw new TemplateRenderException("empty separator");
            parts.AddRange(s.Split(sep.Value));
            if (maxSplit >= 0 && parts.Count > maxSplit)
            {
                string rest = string.Join(sep.Value, parts.Skip((int)maxSplit));
                parts.RemoveRange((int)maxSplit, parts.Count - (int)maxSplit);
                parts.Add(rest);
            }
        }
        else throw new TemplateRenderException("sep argument must be a string or none");
        return new ListValue(parts.Select(p => (TemplateValue)new StringValue(p)).ToList());
    }

    public static TemplateValue Replace(string s, CallArguments args)
    {
        if (args.Positional.Count < 2) throw new TemplateRenderException("replace() requires at least two arguments");
        if (args.Positional[0] is not StringValue old || args.Positional[1] is not StringValue replacement)
            throw new TemplateRenderException("replace() arguments must be strings");
        var count = args.Get(2, "count") ?? TemplateValue.None;
        if (count is not IntValue and not NoneValue) throw new TemplateRenderException("replace() count must be a number or none");
        long remaining = count is IntValue { Value: >= 0 } c ? c.Value : long.MaxValue;
        if (remaining == 0) return new StringValue(s);
        var pattern = old.Value.Length == 0 ? new Regex("(?=)") : new Regex(Regex.Escape(old.Value));
        return new StringValue(pattern.Replace(s, m => remaining-- > 0 ? replacement.Value : m.Value));
    }

    private static TemplateValue DictAttribute(DictValue d, string name) =>
        d.Entries.TryGetValue(name, out var value) ? value : DictMethod(d, name);

    /// <summary>A dict's method (what a filter of that name calls), whatever keys the dict has; undefined if none.</summary>
    public static TemplateValue DictMethod(DictValue d, string name) => name switch
    {
        "get" => Method(a => a.Positional.Count > 0 && a.Positional[0] is StringValue key
            ? d.Entries.TryGetValue(key.Value, out var v) ? v : a.Positional.ElementAtOrDefault(1) ?? TemplateValue.None
            : throw new TemplateRenderException("a dict key must be a string")),
        "items" => Method(_ => Items(d)),
        "keys" => Method(_ => Keys(d)),
        "values" => Method(_ => new ListValue(d.Entries.Values.ToList())),
        "dictsort" => Method(a => DictSort(d, a)),
        _ => TemplateValue.Undefined,
    };

    public static ListValue Items(DictValue d) =>
        new(d.Entries.Select(e => (TemplateValue)new ListValue([new StringValue(e.Key), e.Value])).ToList());

    public static ListValue Keys(DictValue d) => new(d.Entries.Keys.Select(k => (TemplateValue)new StringValue(k)).ToList());

    private static ListValue DictSort(DictValue d, CallArguments args)
    {
        bool caseSensitive = (args.Get(0, "case_sensitive") as BoolValue)?.Value ?? false;
        string by = (args.Get(1, "by") as StringValue)?.Value ?? "key";
        bool reverse = (args.Get(2, "reverse") as BoolValue)?.Value ?? false;
        int index = by == "value" ? 1 : 0;
        var order = Comparer<TemplateValue>.Create((x, y) =>
        {
            int r = TemplateOperators.Compare(((ListValue)x).Items[index], ((ListValue)y).Items[index], caseSensitive);
            return reverse ? -r : r;
        });
        return new ListValue(Items(d).Items.Order(order).ToList());
    }

    [GeneratedRegex(@"\b\w", RegexOptions.ECMAScript)]
    private static partial Regex WordStart();

    [GeneratedRegex(@"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")]
    private static partial Regex NonSpace();
}
