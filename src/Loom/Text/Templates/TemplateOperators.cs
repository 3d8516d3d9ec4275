using System.Globalization;

namespace Loom.Text.Templates;

/// <summary>Binary operators and comparisons between values, with the reference renderer's type rules.</summary>
internal static class TemplateOperators
{
    public static TemplateValue Apply(string op, TemplateValue left, TemplateValue right)
    {
        switch (op)
        {
            case "==": return TemplateValue.Of(LooseEquals(left, right));
            case "!=": return TemplateValue.Of(!LooseEquals(left, right));
        }
        if (IsNumber(left) && IsNumber(right) && op is not "~" and not "**") return Arithmetic(op, left, right);
        if (left is UndefinedValue || right is UndefinedValue)
        {
            if (right is UndefinedValue && op is "in" or "not in") return TemplateValue.Of(op == "not in");
            if (op == "~" && left is not NoneValue && right is not NoneValue)
                return new StringValue((left is UndefinedValue ? "" : left.ConcatText) + (right is UndefinedValue ? "" : right.ConcatText));
            throw new TemplateRenderException($"cannot apply {op} to an undefined value");
        }
        if (left is NoneValue || right is NoneValue) throw new TemplateRenderException($"cannot apply {op} to none");
        if (op == "~") return new StringValue(left.ConcatText + right.ConcatText);
        if (op == "**" && IsNumeric(left) && IsNumeric(right)) return Power(left, right);
        if (left is ListValue a && right is ListValue b && op == "+") return new ListValue([.. a.Items, .. b.Items]);
        if (right is ListValue list && op is "in" or "not in")
            return TemplateValue.Of(list.Items.Any(x => StrictEquals(x, left)) == (op == "in"));
        if ((left is StringValue || right is StringValue) && op == "+") return new StringValue(left.ConcatText + right.ConcatText);
        if (left is StringValue needle && right is StringValue hay && op is "in" or "not in")
            return TemplateValue.Of(hay.Value.Contains(needle.Value, StringComparison.Ordinal) == (op == "in"));
        if (left is StringValue key && right is DictValue { IsNamespace: false } dict && op is "in" or "not in")
            return TemplateValue.Of(dict.Entries.ContainsKey(key.Value) == (op == "in"));
        throw new TemplateRenderException($"unknown operator '{op}' between {left.TypeName} and {right.TypeName}");
    }

    private static TemplateValue Arithmetic(string op, TemplateValue left, TemplateValue right)
    {
        double a = ToDouble(left), b = ToDouble(right);
        bool isFloat = left is FloatValue || right is FloatValue;
        TemplateValue Number(double v) => isFloat ? new FloatValue(v) : new IntValue((long)v);
        return op switch
        {
            "+" => Number(a + b),
            "-" => Number(a - b),
            "*" => Number(a * b),
            "/" => new FloatValue(a / b),
            "//" => Number(Math.Floor(a / b)),
            "%" => Number(a % b),
            "<" => TemplateValue.Of(a < b),
            ">" => TemplateValue.Of(a > b),
            "<=" => TemplateValue.Of(a <= b),
            ">=" => TemplateValue.Of(a >= b),
            _ => throw new TemplateRenderException($"unknown operator '{op}' between numbers"),
        };
    }

    private static TemplateValue Power(TemplateValue left, TemplateValue right)
    {
        double a = ToDouble(left), b = ToDouble(right);
        if (a == 0 && b < 0) throw new TemplateRenderException("0.0 cannot be raised to a negative power");
        double result = Math.Pow(a, b);
        if (!double.IsFinite(result)) throw new TemplateRenderException("exponentiation result is not a finite real number");
        return left is FloatValue || right is FloatValue || b < 0 ? new FloatValue(result) : new IntValue((long)result);
    }

    public static bool IsNumber(TemplateValue v) => v is IntValue or FloatValue;

    /// <summary>A number or a boolean (true counts as 1).</summary>
    public static bool IsNumeric(TemplateValue v) => v is IntValue or FloatValue or BoolValue;

    public static double ToDouble(TemplateValue v) => v switch
    {
        IntValue i => i.Value,
        FloatValue f => f.Value,
        BoolValue b => b.Value ? 1 : 0,
        _ => double.NaN,
    };

    /// <summary><c>==</c>: JavaScript's loose equality of the underlying values (as the reference compares).</summary>
    public static bool LooseEquals(TemplateValue a, TemplateValue b)
    {
        if (a is UndefinedValue or NoneValue || b is UndefinedValue or NoneValue)
            return a is UndefinedValue or NoneValue && b is UndefinedValue or NoneValue;
        if (a is StringValue sa && b is StringValue sb) return sa.Value == sb.Value;
        if (IsNumeric(a) && IsNumeric(b)) return ToDouble(a) == ToDouble(b);
        if (a is StringValue s && IsNumeric(b)) return StringToNumber(s.Value) == ToDouble(b);
        if (b is StringValue t && IsNumeric(a)) return StringToNumber(t.Value) == ToDouble(a);
        return ReferenceEquals(a, b);
    }

    /// <summary>Strict equality of the underlying values (list membership).</summary>
    public static bool StrictEquals(TemplateValue a, TemplateValue b) => (a, b) switch
    {
        (StringValue x, StringValue y) => x.Value == y.Value,
        (BoolValue x, BoolValue y) => x.Value == y.Value,
        (UndefinedValue, UndefinedValue) or (NoneValue, NoneValue) => true,
        _ when IsNumber(a) && IsNumber(b) => ToDouble(a) == ToDouble(b),
        _ => ReferenceEquals(a, b),
    };

    private static double StringToNumber(string s)
    {
        s = JsText.Trim(s);
        if (s.Length == 0) return 0;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : double.NaN;
    }

    /// <summary>Ordering for <c>sort</c> and <c>dictsort</c>: numbers with numbers, strings with strings.</summary>
    public static int Compare(TemplateValue a, TemplateValue b, bool caseSensitive)
    {
        if (a is NoneValue && b is NoneValue || a is UndefinedValue && b is UndefinedValue) return 0;
        if (IsNumeric(a) && IsNumeric(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is StringValue x && b is StringValue y)
            return caseSensitive ? string.CompareOrdinal(x.Value, y.Value)
                : string.CompareOrdinal(x.Value.ToLowerInvariant(), y.Value.ToLowerInvariant());
        throw new TemplateRenderException($"cannot compare {a.TypeName} with {b.TypeName}");
    }
}
