using Loom.Tests.Support;

namespace Loom.Tests.Models.Boltzmann;

/// <summary>The real <c>loom</c> binary trains an RBM on binarized Fashion-MNIST, samples a PNG grid and scores the test set.</summary>
public sealed class RbmCliTests
{
    [Fact]
    public void Train_sample_and_score_through_the_cli()
    {
        using var tmp = new TempFolder();
        var train = CliRunner.Run(tmp.Path, "train", "rbm", "--data", "fashion-mnist", "--train-limit", "500", "--hidden", "16",
            "--epochs", "1", "--batch-size", "50", "--eval-n", "200", "--sample-steps", "50", "--method", "pcd", "--out", "run");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("log Z", train.Stdout + train.Stderr);
        var sample = CliRunner.Run(tmp.Path, "sample", "run", "--n", "16", "--seed", "2", "--out", "grid.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(new FileInfo(tmp.File("grid.png")).Length > 100);
        var score = CliRunner.Run(tmp.Path, "score", "run", "--data", "fashion-mnist");
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("units          10000 samples", score.Stdout);
        Assert.Contains("pseudo_ll", score.Stdout);
        Assert.Contains("log_z", score.Stdout);
    }

    [Fact]
    public void A_preset_starts_the_recipe_and_flags_override_it()
    {
        using var tmp = new TempFolder();
        var train = CliRunner.Run(tmp.Path, "train", "rbm", "--data", "bars-stripes", "--preset", "bars-stripes", "--epochs", "20",
            "--hidden", "8", "--eval-n", "30", "--sample-steps", "10", "--out", "run");
        Assert.True(train.ExitCode == 0, train.ToString());
        var recipe = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(tmp.File("run/run.json")))!.ToJsonString();
        foreach (var setting in new[] { "\"hidden\":8", "\"epochs\":20", "\"method\":\"cd\"", "\"k\":10", "\"batch_size\":30",
            "\"momentum\":0.5" })
            Assert.Contains(setting, recipe);
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "rbm", "--data", "bars-stripes", "--preset", "tiny", "--out", "x"), 2,
            "--preset: 'tiny' is not a rbm preset; choose bars-stripes, sklearn");
    }

    [Fact]
    public void Bad_input_is_one_line()
    {
        using var tmp = new TempFolder();
        File.WriteAllLines(tmp.File("real.csv"), ["0.5,1", "1,0"]);
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "rbm", "--data", "real.csv", "--visible", "bernoulli", "--out", "a"),
            1, "needs 0/1 values");
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "rbm", "--data", "real.csv", "--method", "gibbs", "--out", "b"),
            2, "--method");
        CliAssert.OneLineError(CliRunner.Run(tmp.Path, "train", "rbm", "--data", "missing.csv", "--out", "c"), 1, "missing.csv");
    }
}
