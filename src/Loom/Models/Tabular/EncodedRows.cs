using System.Globalization;
using Loom.Core;

namespace Loom.Models.Tabular;

/// <summary>
/// What the neural table models (CTGAN, TVAE, TabDDPM) share when they turn encoded rows back into a table and resolve a
/// condition: the largest entry of a one-hot block, regenerated ids, and the category a <c>column=value</c> condition names.
/// </summary>
public static class EncodedRows
{
    /// <summary>The index of the largest of <paramref name="width"/> values from <paramref name="start"/> (the first on ties).</summary>
    public static int ArgMax(float[] values, int start, int width)
    {
        int best = 0;
        for (int k = 1; k < width; k++)
            if (values[start + k] > values[start + best]) best = k;
        return best;
    }

    /// <summary>
    /// <paramref name="count"/> fresh ids for an id column: 0, 1, … when the ids were whole numbers, else name_0, name_1, ….
    /// </summary>
    public static string?[] RegeneratedIds(CopulaColumn model, int count) => Enumerable.Range(0, count)
        .Select(i => model.IntegerIds ? i.ToString(CultureInfo.InvariantCulture) : $"{model.Spec.Name}_{i}").ToArray();

    /// <summary>
    /// The column <paramref name="name"/> and the index of <paramref name="value"/> among its categories; a usage error naming the
    /// option when there is no such column, when <paramref name="isLabel"/> refuses it, or when the value never occurred.
    /// </summary>
    public static (int Column, int Index) Condition(IReadOnlyList<CopulaColumn> columns, string name, string value,
        Func<int, bool> isLabel, string model)
    {
        int j = columns.Select(c => c.Spec.Name).ToList().IndexOf(name);
        if (j < 0)
            throw LoomUsageException.ForOption("Condition",
                $"'{name}' is not a column; columns: {string.Join(", ", columns.Select(c => c.Spec.Name))}");
        if (!isLabel(j))
            throw LoomUsageException.ForOption("Condition",
                $"'{name}' is a {columns[j].Spec.Kind.ToString().ToLowerInvariant()} column; {model} conditions on label columns "
                + "(categorical, ordinal, boolean)");
        int index = columns[j].CategoryIndex(value);
        if (index < 0 || columns[j].Frequencies![index] <= 0)
            throw LoomUsageException.ForOption("Condition", $"'{value}' never occurs in column '{name}'; seen: "
                + string.Join(", ", columns[j].Categories!.Where(c => c is not null).Take(12)));
        return (j, index);
    }
}
