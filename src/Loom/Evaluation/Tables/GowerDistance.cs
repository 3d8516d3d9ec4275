using Loom.Data.Tables;

namespace Loom.Evaluation.Tables;

/// <summary>
/// Gower's distance between rows of tables with the same columns (ids left out): the mean over columns of |a − b| / range
/// for numbers (range of the reference table; capped at 1) and 0/1 mismatch for labels; missing against missing is 0,
/// missing against a value 1. Every distance is in [0, 1] whatever the columns' units.
/// </summary>
public sealed class GowerDistance
{
    private readonly List<(string Name, bool Number, double Low, double Range)> columns;

    /// <summary>Normalises numbers by the ranges of <paramref name="reference"/>.</summary>
    public GowerDistance(Table reference)
    {
        columns = reference.Columns.Where(c => c.Kind != ColumnKind.Id).Select(c =>
        {
            if (c.Numbers is not { } n) return (c.Name, false, 0.0, 0.0);
            var present = n.Where(v => !double.IsNaN(v)).ToArray();
            return present.Length == 0 ? (c.Name, true, 0.0, 0.0) : (c.Name, true, present.Min(), present.Max() - present.Min());
        }).ToList();
    }

    /// <summary>
    /// A table's rows as feature vectors: numbers scaled to the reference range (NaN = missing), labels as codes (−1 = missing).
    /// </summary>
    public double[][] Encode(Table table, Dictionary<string, Dictionary<string, int>> codes)
    {
        var rows = new double[table.RowCount][];
        for (int i = 0; i < table.RowCount; i++) rows[i] = new double[columns.Count];
        for (int j = 0; j < columns.Count; j++)
        {
            var (name, number, low, range) = columns[j];
            var column = table.Column(name) ?? throw new Core.LoomDataException($"the table lacks column '{name}'");
            if (number)
            {
                for (int i = 0; i < table.RowCount; i++)
                    rows[i][j] = range > 0 ? (column.Numbers![i] - low) / range : column.Numbers![i] - low;
                continue;
            }
            var map = codes.TryGetValue(name, out var m) ? m : codes[name] = [];
            for (int i = 0; i < table.RowCount; i++)
                rows[i][j] = column.Labels![i] is { } label ? (map.TryGetValue(label, out int code) ? code : map[label] = map.Count) : -1;
        }
        return rows;
    }

    /// <summary>The distance between two encoded rows.</summary>
    public double Distance(double[] a, double[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            if (columns[j].Number)
            {
                bool ma = double.IsNaN(a[j]), mb = double.IsNaN(b[j]);
                sum += ma && mb ? 0 : ma || mb ? 1 : Math.Min(1, Math.Abs(a[j] - b[j]));
            }
            else sum += a[j] == b[j] ? 0 : 1;
        }
        return a.Length == 0 ? 0 : sum / a.Length;
    }

    /// <summary>For each query row, its nearest and second-nearest distances to the reference rows (in parallel).</summary>
    public (double Nearest, double Second)[] NearestTwo(double[][] queries, double[][] reference)
    {
        var result = new (double, double)[queries.Length];
        Parallel.For(0, queries.Length, q =>
        {
            double first = double.PositiveInfinity, second = double.PositiveInfinity;
            foreach (var r in reference)
            {
                double d = Distance(queries[q], r);
                if (d < first) { second = first; first = d; }
                else if (d < second) second = d;
            }
            result[q] = (first, second);
        });
        return result;
    }
}
