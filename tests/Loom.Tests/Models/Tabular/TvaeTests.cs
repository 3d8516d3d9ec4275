using System.Text.Json.Nodes;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Neural;
using Loom.Tests.Support;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// A tiny TVAE run on a small mixed table: its rows have the table's columns, types and domains and follow its label
/// frequencies; sampling is reproducible and survives the checkpoint; conditions are met by rejection.
/// </summary>
public sealed class TvaeTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public void TrainsSamplesAndConditionsOnASmallTable()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(600, 1));
        var real = Table.Read(work.File("train.csv"));
        var recipe = new JsonObject { ["data"] = work.File("train.csv"), ["epochs"] = 60, ["batch_size"] = 100, ["seed"] = 3 };
        using var model = NeuralTableFixtures.Train(new TvaeFamily(), recipe, work.File("run"));
        var synthetic = NeuralTableFixtures.Draw(model, 600, 7);
        NeuralTableFixtures.AssertSameDomains(real, synthetic);
        var quality = TableQuality.Evaluate(real, synthetic);
        Assert.True(quality.ColumnShapes > 0.7, $"column shapes {quality.ColumnShapes}");
        Assert.Equal(synthetic.ToCsv(), NeuralTableFixtures.Draw(model, 600, 7).ToCsv());

        using var loaded = Checkpoint.Load(work.File("run"));
        Assert.Equal("tvae", loaded.Kind);
        Assert.Equal(synthetic.ToCsv(), NeuralTableFixtures.Draw(loaded, 600, 7).ToCsv());

        var conditioned = NeuralTableFixtures.Draw(loaded, 50, 8, new TableConditions([new("level", "low"), new("flag", "True")]));
        Assert.All(conditioned.Column("level")!.Labels!, l => Assert.Equal("low", l));
        Assert.All(conditioned.Column("flag")!.Labels!, l => Assert.Equal("True", l));

        // Most likely one-hots: repeatable, not the draws, and a condition's column is still drawn, so it can be met.
        var likely = new SampleRequest { Count = 200, Seed = 9 }.With(new OneHotSampling(OneHotChoice.MostLikely));
        var mostLikely = ((TableSamples)loaded.Sample(likely)).Table;
        Assert.Equal(mostLikely.ToCsv(), ((TableSamples)loaded.Sample(likely)).Table.ToCsv());
        Assert.NotEqual(NeuralTableFixtures.Draw(loaded, 200, 9).ToCsv(), mostLikely.ToCsv());
        var likelyLow = ((TableSamples)loaded.Sample(likely.With(new TableConditions([new("level", "low")])))).Table;
        Assert.All(likelyLow.Column("level")!.Labels!, l => Assert.Equal("low", l));
    }

    [Fact]
    public void BadRecipesNameTheOption()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(50, 1));
        var family = new TvaeFamily();
        Assert.Contains("Epochs", Assert.Throws<Loom.Core.LoomUsageException>(() => NeuralTableFixtures.Train(family,
            new JsonObject { ["data"] = work.File("train.csv"), ["epochs"] = 0 }, work.File("bad"))).Message);
        Assert.Throws<Loom.Core.LoomUsageException>(() => NeuralTableFixtures.Train(family, new JsonObject(), work.File("bad")));
    }
}
