namespace Loom.Text.Templates;

/// <summary>
/// Variables visible at one point of a render: <c>set</c> writes to the innermost scope, lookups walk outwards.
/// A <c>for</c> loop and a macro call open a scope; <c>if</c> does not.
/// </summary>
internal sealed class TemplateScope(TemplateScope? parent)
{
    private readonly Dictionary<string, TemplateValue> variables = new(StringComparer.Ordinal);
    private readonly TemplateScope? parent = parent;

    public TemplateScope Child() => new(this);

    public void Set(string name, TemplateValue value) => variables[name] = value;

    public TemplateValue Lookup(string name)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
            if (scope.variables.TryGetValue(name, out var value)) return value;
        return TemplateValue.Undefined;
    }
}
