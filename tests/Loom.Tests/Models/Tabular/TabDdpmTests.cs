using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Diffusion;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// A tiny TabDDPM run on a small mixed table (numbers with missing values, integers, dates, labels, ids): its rows keep the
/// table's columns, types and domains; sampling is reproducible and survives the checkpoint; conditions fix label columns;
/// a resumed run continues exactly where a straight run would be.
/// </summary>
public sealed class TabDdpmTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    private JsonObject Recipe(long steps) => new()
    {
        ["data"] = work.File("train.csv"), ["steps"] = steps, ["batch_size"] = 128, ["timesteps"] = 40, ["embedding"] = 32,
        ["hidden"] = 64, ["layers"] = 2, ["seed"] = 3,
    };

    [Fact]
    public void TrainsSamplesAndConditionsOnASmallTable()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(600, 1));
        var real = Table.Read(work.File("train.csv"));
        using var model = NeuralTableFixtures.Train(new TabDdpmFamily(), Recipe(400), work.File("run"));
        var synthetic = NeuralTableFixtures.Draw(model, 600, 7);
        NeuralTableFixtures.AssertSameDomains(real, synthetic);
        Assert.Contains(synthetic.Column("x")!.Numbers!, double.IsNaN);
        var quality = TableQuality.Evaluate(real, synthetic);
        Assert.True(quality.ColumnShapes > 0.7, $"column shapes {quality.ColumnShapes}");
        Assert.Equal(synthetic.ToCsv(), NeuralTableFixtures.Draw(model, 600, 7).ToCsv());
        Assert.NotEqual(synthetic.ToCsv(), NeuralTableFixtures.Draw(model, 600, 8).ToCsv());

        var denoiser = ((TabDdpmModel)model).Denoiser;
        Assert.Equal(denoiser.parameters().Count() + denoiser.buffers().Count(),
            SafeTensorsFile.ReadHeader(work.File("run/model.safetensors")).Entries.Count);
        using var loaded = Checkpoint.Load(work.File("run"));
        Assert.Equal("tabddpm", loaded.Kind);
        Assert.Equal(synthetic.ToCsv(), NeuralTableFixtures.Draw(loaded, 600, 7).ToCsv());

        var conditioned = NeuralTableFixtures.Draw(loaded, 50, 8, new TableConditions([new("level", "low"), new("flag", "True")]));
        Assert.All(conditioned.Column("level")!.Labels!, l => Assert.Equal("low", l));
        Assert.All(conditioned.Column("flag")!.Labels!, l => Assert.Equal("True", l));
        var high = NeuralTableFixtures.Draw(loaded, 300, 9, new TableConditions([new("level", "high")]));
        var low = NeuralTableFixtures.Draw(loaded, 300, 9, new TableConditions([new("level", "low")]));
        // level is high when x is large in the data: the inpainted rows follow.
        static double MeanX(Table t) => t.Column("x")!.Numbers!.Where(double.IsFinite).Average();
        Assert.True(MeanX(high) > MeanX(low), $"mean x: high {MeanX(high)}, low {MeanX(low)}");
        // x has missing cells (a present/missing flag): a number condition holds the flag at present and x at the value.
        var atX = NeuralTableFixtures.Draw(loaded, 40, 10, new TableConditions([new("x", "11.25")]));
        Assert.All(atX.Column("x")!.Numbers!, v => Assert.Equal(11.25, v));
    }

    [Fact]
    public void ResumingContinuesExactlyAsAStraightRun()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(200, 2));
        using (NeuralTableFixtures.Train(new TabDdpmFamily(), Recipe(60), work.File("straight"))) { }
        using (new TabDdpmFamily().Train(Recipe(30), new TrainingContext { OutputFolder = work.File("resumed") }).Model) { }
        using (new TabDdpmFamily().Train(new JsonObject { ["steps"] = 60 },
                   new TrainingContext { OutputFolder = work.File("resumed"), Resume = true }).Model) { }
        using var straight = Checkpoint.Load(work.File("straight"));
        using var resumed = Checkpoint.Load(work.File("resumed"));
        Assert.Equal(NeuralTableFixtures.Draw(straight, 100, 1).ToCsv(), NeuralTableFixtures.Draw(resumed, 100, 1).ToCsv());
        Assert.Contains("BatchSize", Assert.Throws<LoomUsageException>(() => new TabDdpmFamily().Train(
            new JsonObject { ["batch_size"] = 64 }, new TrainingContext { OutputFolder = work.File("resumed"), Resume = true })).Message);
    }

    [Fact]
    public void BadInputNamesTheOption()
    {
        File.WriteAllText(work.File("train.csv"), CopulaFixtures.GaussianCsv(50, 1));
        var family = new TabDdpmFamily();
        Assert.Contains("Steps", Assert.Throws<LoomUsageException>(() => NeuralTableFixtures.Train(family,
            new JsonObject { ["data"] = work.File("train.csv"), ["steps"] = 0 }, work.File("bad"))).Message);
        Assert.Contains("Embedding", Assert.Throws<LoomUsageException>(() => NeuralTableFixtures.Train(family,
            new JsonObject { ["data"] = work.File("train.csv"), ["embedding"] = 7 }, work.File("bad"))).Message);
        Assert.Throws<LoomUsageException>(() => NeuralTableFixtures.Train(family, new JsonObject(), work.File("bad")));
        using var model = NeuralTableFixtures.Train(family, Recipe(2), work.File("run"));
        Assert.Contains("outside the range", Assert.Throws<LoomUsageException>(() =>
            NeuralTableFixtures.Draw(model, 5, 1, new TableConditions([new("x", "100")]))).Message);
        Assert.Contains("never occurs", Assert.Throws<LoomUsageException>(() =>
            NeuralTableFixtures.Draw(model, 5, 1, new TableConditions([new("level", "mid")]))).Message);
    }
}
