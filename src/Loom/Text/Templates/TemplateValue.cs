using System.Globalization;

namespace Loom.Text.Templates;

/// <summary>
/// A value a template computes with: undefined, none, a boolean, an integer, a float, a string, a list (or tuple), a
/// dict (or namespace) or a callable. Truthiness, printing and equality follow the reference renderer.
/// </summary>
public abstract class TemplateValue
{
    public static TemplateValue Undefined { get; } = new UndefinedValue();
    public static TemplateValue None { get; } = new NoneValue();
    public static TemplateValue True { get; } = new BoolValue(true);
    public static TemplateValue False { get; } = new BoolValue(false);

    public static TemplateValue Of(bool value) => value ? True : False;

    /// <summary>The type name errors show (as the reference names it, e.g. <c>StringValue</c>).</summary>
    public abstract string TypeName { get; }

    /// <summary>Whether <c>if value</c> takes the branch.</summary>
    public abstract bool IsTruthy { get; }

    /// <summary>What <c>{{ value }}</c> prints (none and undefined print nothing there; this is their name).</summary>
    public override abstract string ToString();

    /// <summary>The text <c>+</c> and <c>~</c> join (a float prints without a forced ".0" here).</summary>
    public virtual string ConcatText => ToString();
}

/// <summary>A name or key that does not exist.</summary>
public sealed class UndefinedValue : TemplateValue
{
    internal UndefinedValue() { }
    public override string TypeName => "UndefinedValue";
    public override bool IsTruthy => false;
    public override string ToString() => "undefined";
}

/// <summary><c>none</c> (JSON null).</summary>
public sealed class NoneValue : TemplateValue
{
    internal NoneValue() { }
    public override string TypeName => "NullValue";
    public override bool IsTruthy => false;
    // The reference's none holds JavaScript's undefined, so it reads "undefined" where it is joined into text.
    public override string ToString() => "undefined";
}

/// <summary>A boolean; prints <c>true</c>/<c>false</c> as the reference does.</summary>
public sealed class BoolValue(bool value) : TemplateValue
{
    public bool Value { get; } = value;
    public override string TypeName => "BooleanValue";
    public override bool IsTruthy => Value;
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>An integer.</summary>
public sealed class IntValue(long value) : TemplateValue
{
    public long Value { get; } = value;
    public override string TypeName => "IntegerValue";
    public override bool IsTruthy => Value != 0;
    // Beyond 2^53 the reference holds a double, and prints it so (1234567890123456800).
    public override string ToString() =>
        Math.Abs(Value) <= 1L << 53 ? Value.ToString(CultureInfo.InvariantCulture) : JsText.Number(Value);
}

/// <summary>A float; whole values print with ".0".</summary>
public sealed class FloatValue(double value) : TemplateValue
{
    public double Value { get; } = value;
    public override string TypeName => "FloatValue";
    public override bool IsTruthy => Value != 0 && !double.IsNaN(Value);
    public override string ToString() =>
        Value == 0 && double.IsNegative(Value) ? "-0.0"
        : double.IsFinite(Value) && Math.Floor(Value) == Value ? JsText.Number(Value) + ".0" : JsText.Number(Value);
    public override string ConcatText => JsText.Number(Value);
}

/// <summary>A string.</summary>
public sealed class StringValue(string value) : TemplateValue
{
    public string Value { get; } = value;
    public override string TypeName => "StringValue";
    public override bool IsTruthy => Value.Length > 0;
    public override string ToString() => Value;
}

/// <summary>A list (or a tuple); prints as JSON.</summary>
public sealed class ListValue(List<TemplateValue> items, bool isTuple = false) : TemplateValue
{
    public List<TemplateValue> Items { get; } = items;
    public bool IsTuple { get; } = isTuple;
    public override string TypeName => IsTuple ? "TupleValue" : "ArrayValue";
    public override bool IsTruthy => Items.Count > 0;
    public override string ToString() => TemplateJson.Write(this, new TemplateJson.Options(), undefinedAsNull: false);
    public override string ConcatText => string.Join(",", Items.Select(i => i.ToString()));
}

/// <summary>A dict (JSON object), or a <c>namespace()</c> whose attributes templates may assign; prints as JSON.</summary>
public sealed class DictValue(OrderedDictionary<string, TemplateValue> entries, bool isNamespace = false) : TemplateValue
{
    public OrderedDictionary<string, TemplateValue> Entries { get; } = entries;
    public bool IsNamespace { get; } = isNamespace;
    public override string TypeName => IsNamespace ? "NamespaceValue" : "ObjectValue";
    public override bool IsTruthy => IsNamespace || Entries.Count > 0;
    public override string ToString() => TemplateJson.Write(this, new TemplateJson.Options(), undefinedAsNull: false);
    public override string ConcatText => "[object Map]";
}

/// <summary>A callable: a global function, a string or dict method, or a macro.</summary>
public sealed class FunctionValue(Func<CallArguments, TemplateValue> call) : TemplateValue
{
    public Func<CallArguments, TemplateValue> Call { get; } = call;
    public override string TypeName => "FunctionValue";
    public override bool IsTruthy => true;
    public override string ToString() => "[function]";
}
