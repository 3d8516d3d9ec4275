using System.Globalization;
using System.Text.RegularExpressions;

namespace Loom.Text.Templates;

/// <summary>
/// The names every template sees: <c>true</c>/<c>false</c>/<c>none</c> (and Python's spellings),
/// <c>raise_exception</c>, <c>range</c>, <c>namespace</c> and <c>strftime_now</c>.
/// </summary>
internal static partial class TemplateGlobals
{
    public static void AddTo(TemplateScope scope)
    {
        scope.Set("true", TemplateValue.True);
        scope.Set("True", TemplateValue.True);
        scope.Set("false", TemplateValue.False);
        scope.Set("False", TemplateValue.False);
        scope.Set("none", TemplateValue.None);
        scope.Set("None", TemplateValue.None);
        scope.Set("raise_exception", new FunctionValue(a =>
            throw new TemplateRaisedException(string.Join(",", a.Positional.Select(v => v.ToString())))));
        scope.Set("range", new FunctionValue(Range));
        scope.Set("namespace", new FunctionValue(Namespace));
        scope.Set("strftime_now", new FunctionValue(a => a.Positional is [StringValue format, ..]
            ? new StringValue(Strftime(DateTime.Now, format.Value))
            : throw new TemplateRenderException("strftime_now() takes a format string")));
    }

    private static TemplateValue Range(CallArguments a)
    {
        var numbers = a.Positional.Select(v => v is IntValue i ? i.Value
            : throw new TemplateRenderException("range() takes integers")).ToList();
        long start = numbers.Count > 1 ? numbers[0] : 0;
        long stop = numbers.Count > 1 ? numbers[1] : numbers.ElementAtOrDefault(0);
        long step = numbers.Count > 2 ? numbers[2] : 1;
        if (step == 0) throw new TemplateRenderException("range() step must not be zero");
        var items = new List<TemplateValue>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) items.Add(new IntValue(i));
        return new ListValue(items);
    }

    private static TemplateValue Namespace(CallArguments a)
    {
        var entries = new OrderedDictionary<string, TemplateValue>();
        foreach (var positional in a.Positional)
        {
            if (positional is not DictValue d) throw new TemplateRenderException("namespace() takes a dict or keyword arguments");
            foreach (var (key, value) in d.Entries) entries[key] = value;
        }
        foreach (var (key, value) in a.Keywords) entries[key] = value;
        return new DictValue(entries, isNamespace: true);
    }

    private static string Strftime(DateTime now, string format) => StrftimeCode().Replace(format, m => m.Value switch
    {
        "%Y" => now.Year.ToString(CultureInfo.InvariantCulture),
        "%m" => now.Month.ToString("00", CultureInfo.InvariantCulture),
        "%d" => now.Day.ToString("00", CultureInfo.InvariantCulture),
        "%b" => now.ToString("MMM", CultureInfo.InvariantCulture),
        "%B" => now.ToString("MMMM", CultureInfo.InvariantCulture),
        "%H" => now.Hour.ToString("00", CultureInfo.InvariantCulture),
        "%M" => now.Minute.ToString("00", CultureInfo.InvariantCulture),
        "%%" => "%",
        _ => m.Value,
    });

    [GeneratedRegex("%[YmdbBHM%]")]
    private static partial Regex StrftimeCode();
}
