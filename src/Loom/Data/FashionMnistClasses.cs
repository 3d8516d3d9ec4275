using Loom.Core;

namespace Loom.Data;

/// <summary>
/// Fashion-MNIST class choices as users write them: an index 0–9 or a class name (case and punctuation ignored:
/// "sandal", "Ankle boot", "ankle-boot", "t-shirt"), alone or as a comma-separated list. Errors name the option.
/// </summary>
public static class FashionMnistClasses
{
    private static IReadOnlyList<string> Names => FashionMnist.ClassNames;

    /// <summary>Parses one class; throws a usage error naming <paramref name="option"/> and the classes.</summary>
    public static int ParseOne(string text, string option)
    {
        if (int.TryParse(text.Trim(), out int index))
            return index >= 0 && index < Names.Count ? index : throw OutOfRange(option, index);
        var wanted = NameKey(text);
        for (int i = 0; i < Names.Count; i++)
            if (NameKey(Names[i]) == wanted || Names[i].Split('/').Any(part => NameKey(part) == wanted))
                return i;
        throw LoomUsageException.ForOption(option, $"'{text}' is not a Fashion-MNIST class; use 0–{Names.Count - 1} or one of "
            + $"{string.Join(", ", Names.Select(n => n.ToLowerInvariant()))}");
    }

    /// <summary>Parses "0,5,7" (or names) into distinct classes in the order given; at least one.</summary>
    public static int[] ParseList(string text, string option = "Classes")
    {
        var classes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => ParseOne(part, option)).ToArray();
        if (classes.Length == 0)
            throw LoomUsageException.ForOption(option, "give at least one class, e.g. 0,1");
        Check(classes, option);
        return classes;
    }

    /// <summary>Throws a usage error unless every class is in range and listed once.</summary>
    public static void Check(IReadOnlyList<int> classes, string option = "Classes")
    {
        var seen = new HashSet<int>();
        foreach (int c in classes)
        {
            if (c < 0 || c >= Names.Count)
                throw OutOfRange(option, c);
            if (!seen.Add(c))
                throw LoomUsageException.ForOption(option, $"class {c} is listed twice");
        }
    }

    private static LoomUsageException OutOfRange(string option, int index) =>
        LoomUsageException.ForOption(option, $"class {index} is out of range; Fashion-MNIST classes are 0–{Names.Count - 1}");

    /// <summary>A class name as compared: letters and digits only, lower case ("T-shirt/top" → "tshirttop").</summary>
    public static string NameKey(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
