using System.Text.Json.Nodes;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.IO.Checkpoints;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Neural;
using Loom.Tests.Support;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// A tiny CTGAN run on a small mixed table: its rows have the table's columns, types and domains; sampling is
/// reproducible and survives the checkpoint (the generator only); the conditional vector and rejection give only the
/// requested category; the conditional vector's training-by-sampling favours rare categories by log-frequency.
/// </summary>
public sealed class CtganTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public void TrainsSamplesAndConditionsOnASmallTable()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(600, 2));
        var real = Table.Read(work.File("train.csv"));
        var recipe = new JsonObject { ["data"] = work.File("train.csv"), ["epochs"] = 30, ["batch_size"] = 100, ["seed"] = 5 };
        using var model = NeuralTableFixtures.Train(new CtganFamily(), recipe, work.File("run"));
        var synthetic = NeuralTableFixtures.Draw(model, 500, 3);
        NeuralTableFixtures.AssertSameDomains(real, synthetic);
        Assert.True(TableQuality.Evaluate(real, synthetic).ColumnShapes > 0.6);
        Assert.Equal(synthetic.ToCsv(), NeuralTableFixtures.Draw(model, 500, 3).ToCsv());
        Assert.NotEqual(synthetic.ToCsv(), NeuralTableFixtures.Draw(model, 500, 4).ToCsv());

        using var loaded = Checkpoint.Load(work.File("run"));
        Assert.Equal("ctgan", loaded.Kind);
        Assert.Equal(synthetic.ToCsv(), NeuralTableFixtures.Draw(loaded, 500, 3).ToCsv());
        Assert.True(File.Exists(work.File("run/metadata.json")));

        var conditioned = NeuralTableFixtures.Draw(loaded, 80, 9, new TableConditions([new("flag", "True")]));
        Assert.Equal(80, conditioned.RowCount);
        Assert.All(conditioned.Column("flag")!.Labels!, l => Assert.Equal("True", l));
    }

    [Fact]
    public void TrainingBySamplingDrawsCategoriesByLogFrequency()
    {
        // 900 'common' and 100 'rare' rows: log-frequency picks rare with probability log 101 / (log 101 + log 901) ≈ 0.40.
        var csv = "kind,v\n" + string.Concat(Enumerable.Range(0, 1000).Select(i => $"{(i < 100 ? "rare" : "common")},{i % 7}\n"));
        var table = Table.Parse(csv, "t.csv");
        var transformer = TableTransformer.Fit(table);
        var conditions = new CtganConditions(transformer);
        conditions.IndexRows(transformer.Encode(table, 0), table.RowCount, transformer.Width);
        var (vector, mask, real) = conditions.Training(4000, new Random(1));
        int rare = transformer.Columns[0].CategoryIndex("rare");
        var picked = Enumerable.Range(0, 4000).Where(i => vector[i * conditions.Width + rare] == 1).ToList();
        double expected = Math.Log(101) / (Math.Log(101) + Math.Log(901));
        Assert.InRange(picked.Count / 4000.0, expected - 0.03, expected + 0.03);
        Assert.All(picked, i => Assert.Equal("rare", table.Columns[0].Labels![real[i]]));
        Assert.All(mask, m => Assert.Equal(1, m));
    }
}
