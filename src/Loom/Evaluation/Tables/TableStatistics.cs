using Loom.Data.Tables;

namespace Loom.Evaluation.Tables;

/// <summary>
/// The statistics SDMetrics' quality metrics are built from: the two-sample Kolmogorov–Smirnov statistic, total
/// variation distance of frequencies, Pearson correlation over rows where both values are present, and the 10-bin
/// discretisation of number columns as SDMetrics' <c>discretize_column</c> does it for ContingencySimilarity: the edges of
/// <c>numpy.histogram_bin_edges</c> on the real values, outer edges opened to ±∞, each value in the bin
/// <c>numpy.digitize</c> gives (bins closed on the left: a value on an edge belongs to the bin above it).
/// </summary>
public static class TableStatistics
{
    /// <summary>Bins a number column is cut into for contingency tables.</summary>
    public const int Bins = 10;

    /// <summary>sup |F₁(x) − F₂(x)| of two samples (NaN left out; 0 when either is empty).</summary>
    public static double KolmogorovSmirnov(IEnumerable<double> first, IEnumerable<double> second)
    {
        var a = first.Where(v => !double.IsNaN(v)).Order().ToArray();
        var b = second.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (a.Length == 0 || b.Length == 0) return double.NaN;
        int i = 0, j = 0;
        double d = 0;
        while (i < a.Length && j < b.Length)
        {
            double x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x) i++;
            while (j < b.Length && b[j] <= x) j++;
            d = Math.Max(d, Math.Abs((double)i / a.Length - (double)j / b.Length));
        }
        return d;
    }

    /// <summary>½ Σ |p(k) − q(k)| over the keys of two frequency tables (each normalised by its own count).</summary>
    public static double TotalVariation<T>(IReadOnlyCollection<T> first, IReadOnlyCollection<T> second) where T : notnull
    {
        if (first.Count == 0 || second.Count == 0) return double.NaN;
        var p = first.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count() / (double)first.Count);
        var q = second.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count() / (double)second.Count);
        return 0.5 * p.Keys.Union(q.Keys).Sum(k => Math.Abs(p.GetValueOrDefault(k) - q.GetValueOrDefault(k)));
    }

    /// <summary>Pearson's r over the rows where both are present; NaN when fewer than 2 such rows or either is constant there.</summary>
    public static double Pearson(double[] x, double[] y)
    {
        var pairs = x.Zip(y).Where(p => !double.IsNaN(p.First) && !double.IsNaN(p.Second)).ToList();
        if (pairs.Count < 2) return double.NaN;
        double mx = pairs.Average(p => p.First), my = pairs.Average(p => p.Second);
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var (a, b) in pairs)
        {
            sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>
    /// The inner bin edges (9 for 10 bins) of a number column, from the real column's non-missing values, computed as
    /// <c>numpy.linspace</c> does (i × step + low), so that values on an edge fall the same way.
    /// </summary>
    public static double[] InnerEdges(double[] real)
    {
        var present = real.Where(v => !double.IsNaN(v)).ToArray();
        if (present.Length == 0) return [];
        double low = present.Min(), high = present.Max();
        if (low == high) { low -= 0.5; high += 0.5; }
        double step = (high - low) / Bins;
        return Enumerable.Range(1, Bins - 1).Select(i => i * step + low).ToArray();
    }

    /// <summary>
    /// The bin of <paramref name="value"/>: how many inner edges lie at or below it, as <c>numpy.digitize</c> counts ("NA"
    /// when missing).
    /// </summary>
    public static string Bin(double value, double[] innerEdges) =>
        double.IsNaN(value) ? "NA" : innerEdges.Count(e => e <= value).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A column's cells as contingency keys: labels as written ("NA" for missing, apart from a label "NA"), numbers binned.
    /// </summary>
    public static string[] Keys(TableColumn column, double[] innerEdges) =>
        column.Labels is { } labels
            ? labels.Select(l => l is null ? "\u0000NA" : "=" + l).ToArray()
            : column.Numbers!.Select(v => Bin(v, innerEdges)).ToArray();
}
