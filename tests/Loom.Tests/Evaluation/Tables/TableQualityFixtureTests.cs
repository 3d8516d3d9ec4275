using System.Text.Json.Nodes;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.Tests.Support;

namespace Loom.Tests.Evaluation.Tables;

/// <summary>
/// Every SDMetrics quality score against the same formula computed independently with scipy/NumPy/pandas
/// (tests/fixtures/tables/make_quality_fixture.py): KS and TV complements per column, correlation and contingency
/// similarity per pair, the means and the overall score.
/// </summary>
public sealed class TableQualityFixtureTests
{
    private static readonly JsonObject Expected =
        JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("tables/expected.json")))!.AsObject();

    private static TableQualityReport Report()
    {
        var real = Table.Read(RepoPaths.Fixture("tables/real.csv"), RepoPaths.Fixture("tables/metadata.json"));
        var synthetic = Table.ReadAs(RepoPaths.Fixture("tables/synthetic.csv"), real.Metadata);
        return TableQuality.Evaluate(real, synthetic);
    }

    [Fact]
    public void ColumnShapesMatchScipy()
    {
        var shapes = Report().Shapes;
        var expected = Expected["column_shapes"]!.AsObject();
        Assert.Equal(expected.Count, shapes.Count);
        foreach (var shape in shapes)
            Assert.Equal(expected[shape.Column]!.GetValue<double>(), shape.Score, 12);
        Assert.Equal("KSComplement", shapes.Single(s => s.Column == "joined").Metric);
        Assert.Equal("TVComplement", shapes.Single(s => s.Column == "size").Metric);
    }

    [Fact]
    public void ColumnPairTrendsMatchScipyAndPandas()
    {
        var trends = Report().Trends;
        var expected = Expected["column_pair_trends"]!.AsObject();
        Assert.Equal(expected.Count, trends.Count);
        foreach (var trend in trends)
            Assert.Equal(expected[$"{trend.First}|{trend.Second}"]!.GetValue<double>(), trend.Score, 12);
        Assert.Equal("CorrelationSimilarity", trends.Single(t => t is { First: "age", Second: "income" }).Metric);
        Assert.Equal("ContingencySimilarity", trends.Single(t => t is { First: "income", Second: "city" }).Metric);
    }

    [Fact]
    public void OverallScoreIsTheMeanOfShapesAndTrends()
    {
        var report = Report();
        Assert.Equal(Expected["column_shapes_mean"]!.GetValue<double>(), report.ColumnShapes, 12);
        Assert.Equal(Expected["column_pair_trends_mean"]!.GetValue<double>(), report.ColumnPairTrends, 12);
        Assert.Equal(Expected["overall"]!.GetValue<double>(), report.Overall, 12);
    }

    [Fact]
    public void ATableAgainstItselfScoresOneAndCopiesEveryRow()
    {
        var real = Table.Read(RepoPaths.Fixture("tables/real.csv"), RepoPaths.Fixture("tables/metadata.json"));
        Assert.Equal(1, TableQuality.Evaluate(real, real).Overall, 12);
        var privacy = TablePrivacy.Evaluate(real, real, null, 1000, 0);
        Assert.Equal(1, privacy.ExactCopyRate);
        Assert.Equal(0, privacy.DcrSyntheticMedian);
    }
}
