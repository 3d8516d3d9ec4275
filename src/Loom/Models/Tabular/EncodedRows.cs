using System.Globalization;

namespace Loom.Models.Tabular;

/// <summary>
/// What the neural table models (CTGAN, TVAE, TabDDPM) share when they turn encoded rows back into a table: the largest
/// entry of a one-hot block and regenerated ids (conditions are <see cref="ColumnCondition"/>).
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
}
