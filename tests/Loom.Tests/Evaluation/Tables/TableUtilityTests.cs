using System.Globalization;
using System.Text;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.Models;
using Loom.Models.Tabular;

namespace Loom.Tests.Evaluation.Tables;

/// <summary>
/// Train-on-synthetic / test-on-real with FastTree: on a table whose label is a clear function of the features, real
/// rows give a high macro F1, a copula's rows a utility ratio in (0, ~1], rows with the labels shuffled about chance; a
/// number target is scored by R²; the reference metrics match hand counts.
/// </summary>
public sealed class TableUtilityTests
{
    private static Table Clear(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("a,b,colour,label,score\n");
        for (int i = 0; i < rows; i++)
        {
            double a = random.NextDouble() * 10, b = random.NextDouble() * 10;
            string colour = random.Next(3) switch { 0 => "red", 1 => "green", _ => "blue" };
            string label = a + (colour == "red" ? 3 : 0) > 6.5 ? "yes" : "no";
            double score = 2 * a - b + 0.1 * random.NextDouble();
            text.Append(CultureInfo.InvariantCulture, $"{a:0.000},{b:0.000},{colour},{label},{score:0.000}\n");
        }
        return Table.Parse(text.ToString(), "clear.csv");
    }

    [Fact]
    public void AClearTargetScoresHighOnRealRowsAndTheRatioIsAtMostAboutOne()
    {
        var train = Clear(1500, 1);
        var test = Clear(500, 2);
        var copula = ((TableSamples)GaussianCopula.Fit(train, "auto", 0).Sample(new SampleRequest { Count = 1500, Seed = 3 })).Table;
        var report = TableUtility.Evaluate(train, copula, test, "label", "holdout", 10000, 0);
        Assert.Equal("classification", report.Task);
        Assert.True(report.RealScore > 0.95, $"TRTR macro F1 {report.RealScore}");
        Assert.True(report.RealAccuracy > 0.95);
        Assert.InRange(report.UtilityRatio!.Value, 0.01, 1.05);

        var shuffled = new Table(train.Metadata, train.Columns.Select(c => c.Name == "label"
            ? c.Select(Enumerable.Range(0, train.RowCount).Reverse().ToList()) : c).ToList());
        var noise = TableUtility.Evaluate(train, shuffled, test, "label", "holdout", 10000, 0);
        Assert.True(noise.SyntheticScore < 0.75, $"labels unrelated to the rows: macro F1 {noise.SyntheticScore}");
    }

    [Fact]
    public void ANumberTargetIsARegression()
    {
        var train = Clear(1500, 4);
        var report = TableUtility.Evaluate(train, train, Clear(400, 5), "score", "holdout", 10000, 0);
        Assert.Equal("regression", report.Task);
        Assert.Equal("r2", report.ScoreName);
        Assert.True(report.RealScore > 0.9, $"R² {report.RealScore}");
        Assert.Equal(report.RealScore, report.SyntheticScore, 9);
        Assert.Null(report.RealAccuracy);
    }

    [Fact]
    public void MetricsMatchHandCounts()
    {
        // Class a: tp 2, fp 1, fn 0 → F1 0.8; class b: tp 1, fp 0, fn 1 → F1 2/3.
        Assert.Equal((0.8 + 2.0 / 3) / 2, TableUtility.MacroF1(["a", "a", "b", "b"], ["a", "a", "a", "b"]), 12);
        // Σ(y − ȳ)² = 10, Σ(y − ŷ)² = 2.
        Assert.Equal(0.8, TableUtility.RSquared([1, 2, 3, 4, 5], [1, 3, 3, 4, 4]), 12);
        Assert.Contains("not a column", Assert.Throws<Loom.Core.LoomUsageException>(() =>
            TableUtility.Evaluate(Clear(50, 1), Clear(50, 2), Clear(20, 3), "nope", "holdout", 100, 0)).Message);
    }
}
