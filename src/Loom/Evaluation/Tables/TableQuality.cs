using Loom.Core;
using Loom.Data.Tables;

namespace Loom.Evaluation.Tables;

/// <summary>One column's shape score: KSComplement (numbers, datetimes) or TVComplement (labels).</summary>
public sealed record ColumnShape(string Column, string Metric, double Score);

/// <summary>One column pair's trend score: CorrelationSimilarity (two number columns) or ContingencySimilarity.</summary>
public sealed record ColumnPairTrend(string First, string Second, string Metric, double Score, double? RealCorrelation = null,
    double? SyntheticCorrelation = null);

/// <summary>The quality report: per-column shapes, per-pair trends, their means and the overall score (the mean of the two).</summary>
public sealed record TableQualityReport(IReadOnlyList<ColumnShape> Shapes, IReadOnlyList<ColumnPairTrend> Trends)
{
    public double ColumnShapes => Mean(Shapes.Select(s => s.Score));
    public double ColumnPairTrends => Mean(Trends.Select(t => t.Score));
    public double Overall => Mean(new[] { ColumnShapes, ColumnPairTrends });

    private static double Mean(IEnumerable<double> scores)
    {
        var valid = scores.Where(s => !double.IsNaN(s)).ToList();
        return valid.Count == 0 ? double.NaN : valid.Average();
    }
}

/// <summary>
/// SDMetrics' single-table quality report. Column shapes: KSComplement = 1 − KS statistic for numeric, integer and
/// datetime columns (missing values left out), TVComplement = 1 − ½ Σ|p − q| of category frequencies for categorical,
/// ordinal and boolean columns (missing left out). Column pair trends: CorrelationSimilarity = 1 − |ρ_real − ρ_synth|/2
/// (Pearson, rows with both present) for two number columns, ContingencySimilarity = 1 − ½ Σ|p − q| over the 2-D
/// frequency table (numbers binned as <see cref="TableStatistics"/>; missing a category of its own) for the other
/// pairs. Id columns are left out; a score that is undefined (a constant column's correlation) is left out of the means.
/// </summary>
public static class TableQuality
{
    public static TableQualityReport Evaluate(Table real, Table synthetic)
    {
        var columns = real.Columns.Where(c => c.Kind != ColumnKind.Id).ToList();
        var pairs = columns.Select(c => (Real: c, Synthetic: synthetic.Column(c.Name)
            ?? throw new LoomDataException($"the synthetic table lacks column '{c.Name}'"))).ToList();
        var shapes = pairs.Select(p => Shape(p.Real, p.Synthetic)).ToList();
        var trends = new List<ColumnPairTrend>();
        for (int a = 0; a < pairs.Count; a++)
            for (int b = a + 1; b < pairs.Count; b++)
                trends.Add(Trend(pairs[a].Real, pairs[a].Synthetic, pairs[b].Real, pairs[b].Synthetic));
        return new TableQualityReport(shapes, trends);
    }

    public static ColumnShape Shape(TableColumn real, TableColumn synthetic) =>
        real.Numbers is { } numbers
            ? new ColumnShape(real.Name, "KSComplement", 1 - TableStatistics.KolmogorovSmirnov(numbers, synthetic.Numbers!))
            : new ColumnShape(real.Name, "TVComplement",
                1 - TableStatistics.TotalVariation(real.Labels!.OfType<string>().ToList(), synthetic.Labels!.OfType<string>().ToList()));

    public static ColumnPairTrend Trend(TableColumn realA, TableColumn synthA, TableColumn realB, TableColumn synthB)
    {
        if (realA.Numbers is { } ra && realB.Numbers is { } rb)
        {
            double rr = TableStatistics.Pearson(ra, rb), rs = TableStatistics.Pearson(synthA.Numbers!, synthB.Numbers!);
            return new ColumnPairTrend(realA.Name, realB.Name, "CorrelationSimilarity", 1 - Math.Abs(rr - rs) / 2, rr, rs);
        }
        var edgesA = realA.Numbers is { } na ? TableStatistics.InnerEdges(na) : [];
        var edgesB = realB.Numbers is { } nb ? TableStatistics.InnerEdges(nb) : [];
        var real = Joint(TableStatistics.Keys(realA, edgesA), TableStatistics.Keys(realB, edgesB));
        var synthetic = Joint(TableStatistics.Keys(synthA, edgesA), TableStatistics.Keys(synthB, edgesB));
        return new ColumnPairTrend(realA.Name, realB.Name, "ContingencySimilarity", 1 - TableStatistics.TotalVariation(real, synthetic));
    }

    private static List<string> Joint(string[] a, string[] b) => a.Zip(b, (x, y) => x + "\u0001" + y).ToList();
}
