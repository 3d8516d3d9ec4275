namespace Loom.Text.Templates;

/// <summary>Arguments of a call: positional values, then keyword values by name.</summary>
public sealed record CallArguments(List<TemplateValue> Positional, OrderedDictionary<string, TemplateValue> Keywords)
{
    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, or null when not given.</summary>
    public TemplateValue? Get(int index, string name) =>
        index < Positional.Count ? Positional[index] : Keywords.TryGetValue(name, out var v) ? v : null;
}
