using Loom.Data.Tables;
using Loom.Models;
using Loom.Models.Tabular;
using Loom.Training.Runs;

namespace Loom.Tests.Models.Tabular;

/// <summary>Tiny CTGAN and TVAE runs and the checks their synthetic tables share.</summary>
public static class NeuralTableFixtures
{
    /// <summary>Trains <paramref name="family"/> with <paramref name="recipe"/> into <paramref name="folder"/>.</summary>
    public static IGenerativeModel Train(ITrainableFamily family, System.Text.Json.Nodes.JsonObject recipe, string folder) =>
        family.Train(recipe, new TrainingContext { OutputFolder = folder }).Model;

    public static Table Draw(IGenerativeModel model, int count, long seed, TableConditions? conditions = null)
    {
        var request = new SampleRequest { Count = count, Seed = seed };
        return ((TableSamples)model.Sample(conditions is null ? request : request.With(conditions))).Table;
    }

    /// <summary>The synthetic table has the real one's columns, kinds, categories, ranges and rounding.</summary>
    public static void AssertSameDomains(Table real, Table synthetic)
    {
        Assert.Equal(real.Columns.Select(c => (c.Name, c.Kind)), synthetic.Columns.Select(c => (c.Name, c.Kind)));
        foreach (var column in real.Columns.Where(c => c.Kind != ColumnKind.Id))
        {
            var made = synthetic.Column(column.Name)!;
            if (column.Labels is { } labels)
            {
                Assert.Subset(labels.ToHashSet(), made.Labels!.ToHashSet());
                continue;
            }
            var present = column.Numbers!.Where(double.IsFinite).ToArray();
            var drawn = made.Numbers!.Where(double.IsFinite).ToArray();
            Assert.NotEmpty(drawn);
            Assert.All(drawn, v => Assert.InRange(v, present.Min(), present.Max()));
            if (column.Kind == ColumnKind.Integer) Assert.All(drawn, v => Assert.Equal(Math.Round(v), v));
            if (column.Kind == ColumnKind.Datetime) Assert.All(drawn, v => Assert.Equal(0, v % 86400));
            Assert.All(drawn, v => Assert.Equal(Math.Round(v, column.Decimals), v, 9));
        }
        Assert.Equal(Enumerable.Range(0, synthetic.RowCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            synthetic.Column("id")!.Labels);
    }
}
