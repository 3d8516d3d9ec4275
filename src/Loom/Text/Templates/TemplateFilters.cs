using System.Globalization;

namespace Loom.Text.Templates;

/// <summary>
/// The filters of <c>value | name</c> and <c>value | name(arguments)</c>, per value type as the reference has them:
/// <c>tojson</c>, <c>safe</c>, <c>default</c>, <c>trim</c>, <c>length</c>, <c>upper</c>, <c>lower</c>, <c>title</c>,
/// <c>capitalize</c>, <c>join</c>, <c>first</c>, <c>last</c>, <c>list</c>, <c>string</c>, <c>int</c>, <c>float</c>,
/// <c>replace</c>, <c>indent</c>, <c>items</c>, <c>reverse</c>, <c>sort</c>, <c>unique</c>, <c>selectattr</c>,
/// <c>rejectattr</c>, <c>map(attribute=...)</c>, <c>abs</c>, <c>dictsort</c>.
/// </summary>
internal static class TemplateFilters
{
    private static readonly HashSet<string> Known =
    [
        "safe", "tojson", "join", "int", "float", "default", "indent", "replace", "list", "first", "last", "length", "reverse",
        "sort", "string", "unique", "upper", "lower", "title", "capitalize", "trim", "abs", "items", "bool", "selectattr",
        "rejectattr", "map", "keys", "values", "dictsort", "get",
    ];

    /// <summary>Applies filter <paramref name="name"/>; <paramref name="args"/> is null when it was written without parentheses.</summary>
    public static TemplateValue Apply(string name, TemplateValue operand, CallArguments? args)
    {
        if (!Known.Contains(name)) throw new TemplateRenderException($"unknown filter '{name}'");
        if (name == "safe" && args is null) return operand;
        if (name == "tojson") return new StringValue(TemplateJson.Write(operand, JsonOptions(args)));
        if (args is null) return ApplyPlain(name, operand);
        switch (name)
        {
            case "join": return Join(operand, args);
            case "int" or "float": return ToNumber(name, operand, args.Get(0, "default"));
            case "default":
                var fallback = args.Positional.ElementAtOrDefault(0) ?? new StringValue("");
                bool boolean = (args.Get(1, "boolean") ?? TemplateValue.False) is BoolValue b
                    ? b.Value : throw new TemplateRenderException("`default` filter flag must be a boolean");
                return operand is UndefinedValue || boolean && !operand.IsTruthy ? fallback : operand;
        }
        return operand switch
        {
            ListValue list => ApplyToList(name, list, args),
            StringValue s when name == "indent" => Indent(s.Value, args),
            StringValue s when name == "replace" => TemplateMethods.Replace(s.Value, args),
            DictValue { IsNamespace: false } d when TemplateMethods.DictMethod(d, name) is FunctionValue f => f.Call(args),
            _ => throw new TemplateRenderException($"unknown filter '{name}' for {operand.TypeName}"),
        };
    }

    private static TemplateValue ApplyPlain(string name, TemplateValue operand) => operand switch
    {
        ListValue list => name switch
        {
            "list" => list,
            "first" => list.Items.FirstOrDefault() ?? TemplateValue.Undefined,
            "last" => list.Items.LastOrDefault() ?? TemplateValue.Undefined,
            "length" => new IntValue(list.Items.Count),
            "reverse" => new ListValue(Enumerable.Reverse(list.Items).ToList()),
            "sort" => new ListValue(list.Items.Order(Comparer<TemplateValue>.Create((a, b) =>
                TemplateOperators.Compare(a, b, caseSensitive: false))).ToList()),
            "join" => new StringValue(string.Concat(list.Items.Select(JoinText))),
            "string" => new StringValue(TemplateJson.Write(list, new TemplateJson.Options(), undefinedAsNull: false)),
            "unique" => new ListValue(Unique(list.Items)),
            _ => throw Unknown(name, operand),
        },
        StringValue s => name switch
        {
            "length" => new IntValue(s.Value.Length),
            "upper" => new StringValue(s.Value.ToUpperInvariant()),
            "lower" => new StringValue(s.Value.ToLowerInvariant()),
            "title" => new StringValue(TemplateMethods.Title(s.Value)),
            "capitalize" => new StringValue(TemplateMethods.Capitalize(s.Value)),
            "trim" => new StringValue(JsText.Trim(s.Value)),
            "indent" => Indent(s.Value, new CallArguments([], [])),
            "join" or "string" => s,
            "int" or "float" => ToNumber(name, s, null),
            _ => throw Unknown(name, operand),
        },
        IntValue or FloatValue => name switch
        {
            "abs" => operand is IntValue i ? new IntValue(Math.Abs(i.Value)) : new FloatValue(Math.Abs(((FloatValue)operand).Value)),
            "int" or "float" => ToNumber(name, operand, null),
            "string" => new StringValue(operand.ToString()),
            _ => throw Unknown(name, operand),
        },
        DictValue { IsNamespace: false } d => name switch
        {
            "items" => TemplateMethods.Items(d),
            "length" => new IntValue(d.Entries.Count),
            _ => TemplateMethods.DictMethod(d, name) is FunctionValue f ? f.Call(new CallArguments([], [])) : throw Unknown(name, operand),
        },
        BoolValue b => name switch
        {
            "bool" => b,
            "int" or "float" => ToNumber(name, b, null),
            "string" => new StringValue(b.ToString()),
            _ => throw Unknown(name, operand),
        },
        _ => throw new TemplateRenderException($"cannot apply filter '{name}' to {operand.TypeName}"),
    };

    /// <summary>An item as <c>join</c> writes it: none and undefined as nothing.</summary>
    private static string JoinText(TemplateValue item) => item is NoneValue or UndefinedValue ? "" : item.ConcatText;

    private static TemplateRenderException Unknown(string name, TemplateValue operand) =>
        new($"unknown filter '{name}' for {operand.TypeName}");

    private static List<TemplateValue> Unique(List<TemplateValue> items)
    {
        var unique = new List<TemplateValue>();
        foreach (var item in items)
            if (!unique.Any(u => TemplateOperators.StrictEquals(u, item))) unique.Add(item);
        return unique;
    }

    private static TemplateJson.Options JsonOptions(CallArguments? args)
    {
        if (args is null) return new TemplateJson.Options();
        var indent = args.Keywords.GetValueOrDefault("indent") ?? TemplateValue.None;
        if (indent is not IntValue and not NoneValue) throw new TemplateRenderException("if set, indent must be a number");
        (string, string)? separators = null;
        if (args.Keywords.GetValueOrDefault("separators") is ListValue { Items: [StringValue item, StringValue key] })
            separators = (item.Value, key.Value);
        return new TemplateJson.Options((indent as IntValue)?.Value is { } n ? (int)n : null,
            (args.Keywords.GetValueOrDefault("ensure_ascii") as BoolValue)?.Value ?? false,
            (args.Keywords.GetValueOrDefault("sort_keys") as BoolValue)?.Value ?? false, separators);
    }

    private static StringValue Join(TemplateValue operand, CallArguments args)
    {
        var parts = operand switch
        {
            StringValue s => s.Value.EnumerateRunes().Select(r => r.ToString()),
            ListValue l => l.Items.Select(JoinText),
            _ => throw new TemplateRenderException($"cannot apply filter 'join' to {operand.TypeName}"),
        };
        var separator = args.Get(0, "separator") ?? new StringValue("");
        if (separator is not StringValue sep) throw new TemplateRenderException("separator must be a string");
        return new StringValue(string.Join(sep.Value, parts));
    }

    private static TemplateValue ToNumber(string name, TemplateValue operand, TemplateValue? fallback)
    {
        bool toInt = name == "int";
        fallback ??= toInt ? new IntValue(0) : new FloatValue(0);
        return operand switch
        {
            StringValue s => toInt
                ? LeadingInteger(s.Value) is { } i ? new IntValue(i) : fallback
                : LeadingFloat(s.Value) is { } f ? new FloatValue(f) : fallback,
            IntValue or FloatValue or BoolValue => toInt
                ? new IntValue((long)Math.Truncate(TemplateOperators.ToDouble(operand)))
                : new FloatValue(TemplateOperators.ToDouble(operand)),
            _ => throw new TemplateRenderException($"cannot apply filter '{name}' to {operand.TypeName}"),
        };
    }

    /// <summary>JavaScript's <c>parseInt(s, 10)</c>: the leading integer after whitespace, or null.</summary>
    private static long? LeadingInteger(string s)
    {
        s = JsText.TrimStart(s);
        int end = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        int digitsStart = end;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        return end > digitsStart ? long.Parse(s[..end], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>JavaScript's <c>parseFloat</c>: the longest leading decimal number, or null.</summary>
    private static double? LeadingFloat(string s)
    {
        s = JsText.TrimStart(s);
        for (int end = s.Length; end > 0; end--)
            if (char.IsAsciiDigit(s[end - 1]) || s[end - 1] == '.')
                if (double.TryParse(s[..end], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out double d)) return d;
        return null;
    }

    private static StringValue Indent(string s, CallArguments args)
    {
        var width = args.Get(0, "width") ?? new IntValue(4);
        string indent = width switch
        {
            StringValue w => w.Value,
            IntValue n => new string(' ', (int)Math.Max(0, n.Value)),
            _ => throw new TemplateRenderException("width must be an integer or a string"),
        };
        bool first = args.Get(1, "first")?.IsTruthy ?? false;
        bool blank = args.Get(2, "blank")?.IsTruthy ?? false;
        var lines = s.Split('\n');
        return new StringValue(string.Join("\n", lines.Select((line, i) =>
            !first && i == 0 || !blank && line.Length == 0 ? line : indent + line)));
    }

    private static TemplateValue ApplyToList(string name, ListValue list, CallArguments args)
    {
        switch (name)
        {
            case "sort":
                bool reverse = (args.Get(0, "reverse") as BoolValue)?.Value ?? false;
                bool caseSensitive = (args.Get(1, "case_sensitive") as BoolValue)?.Value ?? false;
                var attribute = args.Get(2, "attribute");
                TemplateValue Key(TemplateValue item) => attribute is null or NoneValue ? item
                    : AttributePath(item, attribute is IntValue i ? i.Value.ToString(CultureInfo.InvariantCulture) : attribute.ToString());
                var order = Comparer<TemplateValue>.Create((a, b) =>
                    (reverse ? -1 : 1) * TemplateOperators.Compare(Key(a), Key(b), caseSensitive));
                return new ListValue(list.Items.Order(order).ToList());
            case "selectattr" or "rejectattr":
                if (list.Items.Any(i => i is not DictValue))
                    throw new TemplateRenderException($"`{name}` can only be applied to a list of objects");
                if (args.Positional.ElementAtOrDefault(0) is not StringValue attr)
                    throw new TemplateRenderException($"arguments of `{name}` must be strings");
                string? test = (args.Positional.ElementAtOrDefault(1) as StringValue)?.Value;
                if (test is not null && !TemplatePredicates.Exists(test)) throw new TemplateRenderException($"unknown test '{test}'");
                var argument = args.Positional.ElementAtOrDefault(2);
                return new ListValue(list.Items.Where(item =>
                {
                    bool passes = ((DictValue)item).Entries.TryGetValue(attr.Value, out var a)
                        && (test is null ? a.IsTruthy : TemplatePredicates.Test(test, a, argument));
                    return passes == (name == "selectattr");
                }).ToList());
            case "map":
                if (args.Keywords.GetValueOrDefault("attribute") is not StringValue path)
                    throw new TemplateRenderException("`map` is supported with attribute=... only");
                var fallback = args.Keywords.GetValueOrDefault("default");
                return new ListValue(list.Items.Select(item => item is not DictValue
                    ? throw new TemplateRenderException("items in map must be objects")
                    : AttributePath(item, path.Value) is UndefinedValue ? fallback ?? TemplateValue.Undefined
                    : AttributePath(item, path.Value)).ToList());
            default: throw new TemplateRenderException($"unknown filter '{name}' for {list.TypeName}");
        }
    }

    private static TemplateValue AttributePath(TemplateValue item, string path)
    {
        foreach (var part in path.Split('.'))
        {
            item = item switch
            {
                DictValue d => d.Entries.GetValueOrDefault(part) ?? TemplateValue.Undefined,
                ListValue l when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i < l.Items.Count =>
                    l.Items[i],
                _ => TemplateValue.Undefined,
            };
            if (item is UndefinedValue) break;
        }
        return item;
    }
}
