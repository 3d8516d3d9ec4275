namespace Loom.Text.Templates;

/// <summary>Indexing (<c>x[-1]</c>) and Python slices (<c>x[1:]</c>, <c>x[::-1]</c>) of lists and strings.</summary>
internal static class TemplateSlicing
{
    /// <summary>Item <paramref name="index"/> (negative counts from the end), or undefined when out of range.</summary>
    public static TemplateValue At(TemplateValue target, long index)
    {
        int count = target is ListValue l ? l.Items.Count : ((StringValue)target).Value.Length;
        long i = index < 0 ? count + index : index;
        if (i < 0 || i >= count) return TemplateValue.Undefined;
        return target is ListValue list ? list.Items[(int)i] : new StringValue(((StringValue)target).Value[(int)i].ToString());
    }

    public static TemplateValue Slice(TemplateValue target, TemplateValue start, TemplateValue stop, TemplateValue step)
    {
        long? Bound(TemplateValue v, string what) => v switch
        {
            IntValue i => i.Value,
            UndefinedValue => null,
            _ => throw new TemplateRenderException($"slice {what} must be an integer"),
        };
        var (from, to, by) = (Bound(start, "start"), Bound(stop, "stop"), Bound(step, "step") ?? 1);
        if (target is ListValue list) return new ListValue(Pick(list.Items, from, to, by));
        if (target is StringValue s)
        {
            var runes = s.Value.EnumerateRunes().Select(r => r.ToString()).ToList();
            return new StringValue(string.Concat(Pick(runes, from, to, by)));
        }
        throw new TemplateRenderException($"cannot slice {target.TypeName}");
    }

    private static List<T> Pick<T>(List<T> items, long? start, long? stop, long step)
    {
        long n = items.Count;
        long first, end;
        if (step > 0)
        {
            first = start is { } a ? a < 0 ? Math.Max(n + a, 0) : Math.Min(a, n) : 0;
            end = stop is { } b ? b < 0 ? Math.Max(n + b, 0) : Math.Min(b, n) : n;
        }
        else
        {
            first = start is { } a ? a < 0 ? Math.Max(n + a, -1) : Math.Min(a, n - 1) : n - 1;
            end = stop is { } b ? b < -1 ? Math.Max(n + b, -1) : Math.Min(b, n - 1) : -1;
        }
        var picked = new List<T>();
        if (step == 0) return picked; // the reference gives an empty slice where Python raises
        for (long i = first; step > 0 ? i < end : i > end; i += step) picked.Add(items[(int)i]);
        return picked;
    }
}
