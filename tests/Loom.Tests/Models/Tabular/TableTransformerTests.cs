using Loom.Data.Tables;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Neural;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// CTGAN's data transformer: the variational mixture finds the modes of a bimodal column and prunes the rest; a table
/// goes forward and back to the same values (numbers within their mode's float precision, then rounded as written;
/// labels, missing cells and ids exactly); its state survives JSON.
/// </summary>
public sealed class TableTransformerTests
{
    [Fact]
    public void TheMixtureFindsTwoModesOfABimodalColumn()
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, 2000).Select(i => (i % 3 == 0 ? -5.0 : 5.0) + 0.5 * CopulaFixtures.Normal(random)).ToArray();
        var normalizer = ModeNormalizer.Fit(x);
        Assert.Equal(2, normalizer.Modes);
        var modes = Enumerable.Range(0, 2).Select(normalizer.Mode).OrderBy(m => m.Mean).ToList();
        Assert.InRange(modes[0].Mean, -5.1, -4.9);
        Assert.InRange(modes[1].Mean, 4.9, 5.1);
        // The Wishart prior (the whole column's variance, one pseudo-observation) widens the smaller mode a little, as in scikit-learn.
        Assert.All(modes, m => Assert.InRange(m.Std, 0.45, 0.65));
        var weights = normalizer.Kept.Select(k => normalizer.Mixture.Weights[k]).Order().ToList();
        Assert.InRange(weights[0], 0.30, 0.37);
    }

    [Fact]
    public void ATableGoesForwardAndBack()
    {
        var table = CopulaFixtures.GaussianTable(800, 2);
        var transformer = TableTransformer.Fit(table);
        var rows = transformer.Encode(table, seed: 4);
        Assert.Equal(table.RowCount * transformer.Width, rows.Length);
        // Every one-hot span holds exactly one 1 per row; α stays in [−0.99, 0.99].
        foreach (var span in transformer.Spans)
            for (int i = 0; i < table.RowCount; i++)
            {
                var block = rows.AsSpan(i * transformer.Width + span.Start, span.Width).ToArray();
                if (span.Activation == SpanActivation.Softmax) Assert.Equal(1, block.Sum());
                else Assert.InRange(block[0], -0.99f, 0.99f);
            }
        var back = transformer.Decode(rows, table.RowCount);
        foreach (var name in new[] { "level", "flag" })
            Assert.Equal(table.Column(name)!.Labels, back.Column(name)!.Labels);
        Assert.Equal(table.Column("id")!.Labels!.Select((_, i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            back.Column("id")!.Labels);
        // Numbers come back as written, except the rare value past 3.96σ of its mode (α clipped).
        foreach (var name in new[] { "x", "y", "n", "day" })
        {
            var before = table.Column(name)!;
            var after = back.Column(name)!;
            int same = Enumerable.Range(0, table.RowCount).Count(i => before.Format(i) == after.Format(i));
            Assert.True(same >= table.RowCount * 0.99, $"{name}: {same} of {table.RowCount} rows round-trip");
            var indices = Enumerable.Range(0, table.RowCount).ToList();
            Assert.Equal(indices.Select(before.IsMissing), indices.Select(after.IsMissing));
        }
        Assert.Contains(transformer.Spans, s => s.Role == SpanRole.Missing && table.Columns[s.Column].Name == "x");
    }

    [Fact]
    public void TheStateSurvivesJson()
    {
        var table = CopulaFixtures.GaussianTable(300, 5);
        var transformer = TableTransformer.Fit(table);
        var reread = TableTransformer.FromJson(
            System.Text.Json.Nodes.JsonNode.Parse(transformer.ToJson().ToJsonString())!.AsObject(), table.Metadata);
        Assert.Equal(transformer.Width, reread.Width);
        Assert.Equal(transformer.Spans, reread.Spans);
        var rows = transformer.Encode(table, 1);
        Assert.Equal(transformer.Decode(rows, table.RowCount).ToCsv(), reread.Decode(rows, table.RowCount).ToCsv());
        Assert.Equal(rows, reread.Encode(table, 1));
    }

    [Fact]
    public void ConditionsResolveOnLabelsAndNumbersAndBadOnesAreNamed()
    {
        var transformer = TableTransformer.Fit(CopulaFixtures.GaussianTable(200, 6));
        var number = ColumnCondition.Resolve(transformer.Columns, "x", "10.5");
        Assert.True(number.IsNumber);
        Assert.Equal(10.5, number.Number);
        Assert.Equal(1, number.Column);
        Assert.False(ColumnCondition.Resolve(transformer.Columns, "level", "low").IsNumber);
        Assert.Contains("outside the range", Assert.Throws<Loom.Core.LoomUsageException>(() =>
            ColumnCondition.Resolve(transformer.Columns, "x", "1000")).Message);
        Assert.Contains("not a whole number", Assert.Throws<Loom.Core.LoomUsageException>(() =>
            ColumnCondition.Resolve(transformer.Columns, "n", "2.5")).Message);
        Assert.Contains("never occurs", Assert.Throws<Loom.Core.LoomUsageException>(() =>
            ColumnCondition.Resolve(transformer.Columns, "level", "mid")).Message);
        Assert.Contains("not a column", Assert.Throws<Loom.Core.LoomUsageException>(() =>
            ColumnCondition.Resolve(transformer.Columns, "nope", "a")).Message);
        Assert.Contains("id column", Assert.Throws<Loom.Core.LoomUsageException>(() =>
            ColumnCondition.Resolve(transformer.Columns, "id", "7")).Message);
    }
}
