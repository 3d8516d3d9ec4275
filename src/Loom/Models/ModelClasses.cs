using System.Globalization;
using Loom.Core;

namespace Loom.Models;

/// <summary>
/// The classes of a class-conditional model (<see cref="IConditionalModel"/>) by name or index: what a user's
/// <c>class</c> field or prompt asks for.
/// </summary>
public static class ModelClasses
{
    /// <summary>The model's class names; empty for an unconditional model.</summary>
    public static IReadOnlyList<string> Of(IGenerativeModel model) =>
        model.GetService<IConditionalModel>() is { NumClasses: > 0 } conditional ? conditional.ClassNames : [];

    /// <summary>
    /// The class <paramref name="nameOrIndex"/> names: an index, or a class name (case-insensitive). Throws a usage error
    /// about the option <c>Class</c> for an unconditional model or a class the model does not have.
    /// </summary>
    public static int Parse(IGenerativeModel model, string nameOrIndex)
    {
        var names = Of(model);
        if (names.Count == 0)
            throw LoomUsageException.ForOption("Class", $"a '{model.Kind}' model here is not class-conditional");
        var spec = nameOrIndex.Trim();
        if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < names.Count)
            return index;
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], spec, StringComparison.OrdinalIgnoreCase))
                return i;
        throw LoomUsageException.ForOption("Class",
            $"'{nameOrIndex}' is not a class of this model (0 to {names.Count - 1}: {string.Join(", ", names)})");
    }

    /// <summary>
    /// The class whose name <paramref name="text"/> mentions as a whole word or phrase (case-insensitive; the longest
    /// name wins, so "T-shirt" beats "shirt"), or null when it names none or the model is unconditional.
    /// </summary>
    public static int? FindIn(IGenerativeModel model, string text)
    {
        var names = Of(model);
        return names.Select((name, index) => (name, index))
            .Where(c => c.name.Length > 0 && Mentions(text, c.name))
            .OrderByDescending(c => c.name.Length)
            .ThenBy(c => c.index)
            .Select(c => (int?)c.index)
            .FirstOrDefault();
    }

    private static bool Mentions(string text, string name)
    {
        for (int at = text.IndexOf(name, StringComparison.OrdinalIgnoreCase); at >= 0;
             at = text.IndexOf(name, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            int end = at + name.Length;
            if ((at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end])))
                return true;
        }
        return false;
    }
}
