using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Boltzmann;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Models.Boltzmann;

/// <summary>
/// An RBM learns 4×4 bars and stripes, whose true distribution is known: its exact NLL comes near the optimum ln 30 (a broken
/// trainer stays near 16 ln 2 = 11.09, the uniform model), AIS agrees with the exact log Z, most Gibbs samples are valid
/// patterns; and the CLI trains it and writes the checks to the card and a samples.png.
/// </summary>
public sealed class RbmBarsAndStripesTests
{
    /// <summary>The quickstart's settings (3000 steps: 1500 reach only ln 30 + 1.07), a shorter AIS and shorter sampling chains.</summary>
    private static RbmRecipe Tuned(int epochs) => new()
    {
        Data = "bars-stripes", Hidden = 32, Method = "cd", K = 10, BatchSize = 30, LearningRate = 0.05, Momentum = 0.5, WeightDecay = 0,
        Epochs = epochs, SampleSteps = 200, AisChains = 100, AisBetas = 3000, Seed = 0,
    };

    [Fact]
    public void Training_comes_near_the_optimum_and_ais_agrees_with_the_exact_log_z()
    {
        using var tmp = new TempFolder();
        var outcome = OneThreadRuns.Run(() => ModelRegistry.Trainable("rbm").Train(RecipeJson.ToJson(Tuned(3000)),
            new TrainingContext { OutputFolder = tmp.File("run") }));
        outcome.Model.Dispose();
        var m = outcome.Metrics;
        string all = string.Join(", ", m.Select(kv => $"{kv.Key}={kv.Value:G5}"));
        Assert.Equal(Math.Log(30), m["optimal_nll"], 12);
        Assert.True(m["exact_nll"] < Math.Log(30) + 1.0, all);
        Assert.True(m["exact_nll"] >= Math.Log(30) - 1e-9, all);   // no model beats the data's own entropy
        NumericAssert.Close(-m["train_mean_log_likelihood"], m["exact_nll"], 1e-9, 1e-9); // the 30 rows are the 30 patterns
        Assert.True(Math.Abs(m["ais_log_z"] - m["exact_log_z"]) < 0.1, all);
        Assert.True(m["valid_sample_fraction"] > 0.4, all);
        Assert.True(m["patterns_covered"] >= 20, all);
        Assert.True(File.Exists(tmp.File(Path.Combine("run", "samples.png"))));
    }

    [Fact]
    public void Train_through_the_cli_writes_the_checks()
    {
        using var tmp = new TempFolder();
        var train = CliRunner.Run(tmp.Path, "train", "rbm", "--data", "bars-stripes", "--hidden", "16", "--method", "cd", "--k", "5",
            "--batch-size", "30", "--epochs", "50", "--sample-steps", "20", "--ais-betas", "200", "--out", "run");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("optimum ln 30 = 3.401", train.Stdout);
        Assert.Contains("valid patterns", train.Stdout);
        var metrics = Checkpoint.ReadCard(tmp.File("run")).Metrics;
        foreach (var name in new[] { "exact_nll", "optimal_nll", "exact_log_z", "ais_log_z", "valid_sample_fraction", "patterns_covered" })
            Assert.True(metrics.ContainsKey(name), name);
        Assert.True(new FileInfo(tmp.File(Path.Combine("run", "samples.png"))).Length > 100);
        var score = CliRunner.Run(tmp.Path, "score", "run", "--data", "bars-stripes");
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("30 samples", score.Stdout);
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "rbm", "--data", "bars-stripes-12", "--out", "bad"), 2, "bars and stripes");
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "rbm", "--data", "bars-stripes", "--train-limit", "5", "--out", "bad2"),
            2, "--train-limit");
    }
}
