namespace Loom.Text.Templates;

/// <summary>The tests of <c>x is name</c>: <c>defined</c>, <c>none</c>, <c>string</c>, <c>mapping</c>, <c>true</c>, ...</summary>
internal static class TemplatePredicates
{
    public static bool Test(string name, TemplateValue v, TemplateValue? argument = null) => name switch
    {
        "boolean" => v is BoolValue,
        "callable" => v is FunctionValue,
        "odd" => v is IntValue i ? i.Value % 2 != 0 : throw new TemplateRenderException($"cannot odd on {v.TypeName}"),
        "even" => v is IntValue j ? j.Value % 2 == 0 : throw new TemplateRenderException($"cannot even on {v.TypeName}"),
        "false" => v is BoolValue { Value: false },
        "true" => v is BoolValue { Value: true },
        "none" => v is NoneValue,
        "string" => v is StringValue,
        "number" => v is IntValue or FloatValue,
        "integer" => v is IntValue,
        "iterable" => v is ListValue { IsTuple: false } or StringValue,
        "mapping" => v is DictValue { IsNamespace: false },
        "sequence" => v is ListValue or StringValue or DictValue { IsNamespace: false },
        "lower" => v is StringValue s && s.Value == s.Value.ToLowerInvariant(),
        "upper" => v is StringValue u && u.Value == u.Value.ToUpperInvariant(),
        "defined" => v is not UndefinedValue,
        "undefined" => v is UndefinedValue,
        "equalto" or "eq" => argument is not null && TemplateOperators.StrictEquals(v, argument),
        _ => throw new TemplateRenderException($"unknown test '{name}'"),
    };

    public static bool Exists(string name) => name is "boolean" or "callable" or "odd" or "even" or "false" or "true" or "none"
        or "string" or "number" or "integer" or "iterable" or "mapping" or "sequence" or "lower" or "upper" or "defined"
        or "undefined" or "equalto" or "eq";
}
