using Loom.Data;
using Loom.IO.Images;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Models.Flows;

/// <summary><c>loom train flow</c> → <c>sample</c> → <c>score</c> through the real binary, the aliases, and bad input.</summary>
public class FlowCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-flow-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private string In(string name) => Path.Combine(work, name);

    [Fact]
    public void A_toy_with_a_known_density_reports_its_held_out_nll_beside_the_flows()
    {
        var train = Loom("train", "realnvp", "--data", "8gaussians", "--points", "20000", "--layers", "1", "--hidden", "8",
            "--steps", "1", "--out", "toy", "--seed", "4");
        Assert.True(train.ExitCode == 0, train.ToString());
        var metrics = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(In("toy/card.json")))!["metrics"]!;
        // 8 well-separated isotropic Gaussians (σ² = 1/8): entropy log 8 + 1 + log(2π σ²) nats; 2,000 held-out points.
        double entropy = Math.Log(8) + 1 + Math.Log(2 * Math.PI / 8);
        Assert.InRange(metrics["heldout_true_nll"]!.GetValue<double>(), entropy - 0.08, entropy + 0.08);
        Assert.True(metrics["heldout_nll"]!.GetValue<double>() > metrics["heldout_true_nll"]!.GetValue<double>());
    }

    [Fact]
    public void TrainSampleScoreRoundTrip()
    {
        var train = Loom("train", "flow", "--data", "8gaussians", "--points", "600", "--architecture", "spline", "--layers", "2",
            "--hidden", "16", "--steps", "30", "--batch-size", "64", "--out", "ckpt", "--seed", "2");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(File.Exists(In("ckpt/samples.png")));
        Assert.Contains("heldout_nll", train.Stdout);
        var sample = Loom("sample", "ckpt", "--n", "40", "--seed", "1", "--out", "s.csv");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.Equal(40, File.ReadAllLines(In("s.csv")).Length);
        Assert.Equal(File.ReadAllText(In("s.csv")), Loom("sample", "ckpt", "--n", "40", "--seed", "1").Stdout);
        Assert.True(Loom("sample", "ckpt", "--n", "100", "--out", "s.png").ExitCode == 0);
        Assert.True(new FileInfo(In("s.png")).Length > 0);

        // The score of the sampled points is the mean NLL the model gives them, recomputed here from the checkpoint.
        var score = Loom("score", "ckpt", "--data", "s.csv");
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("units          40 samples", score.Stdout);
        using var model = global::Loom.IO.Checkpoints.Checkpoint.Load(In("ckpt"));
        var scorer = (global::Loom.Models.IExampleScorer)model;
        using var points = NumericCsv.ReadMatrix(In("s.csv"));
        double expected = scorer.ExampleNll(points).mean().item<double>();
        var nllLine = score.Stdout.Split('\n').Single(l => l.StartsWith("nll", StringComparison.Ordinal));
        double reported = double.Parse(nllLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, reported, 4);
    }

    [Fact]
    public void ImageFlowTrainsSamplesAGridAndScoresBitsPerDim()
    {
        Directory.CreateDirectory(In("pngs"));
        using (var images = torch.rand([8, 1, 8, 8], generator: new torch.Generator(4)))
            for (int i = 0; i < 8; i++)
                Png.Write(In($"pngs/{i}.png"), images[i]);
        var train = Loom("train", "glow", "--data", "pngs", "--layers", "1", "--hidden", "4", "--steps", "3", "--batch-size", "4",
            "--holdout", "0", "--out", "img");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("train_bits_per_dim", train.Stdout);
        var sample = Loom("sample", "img", "--n", "4", "--out", "grid.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(In("grid.png")));
        var score = Loom("score", "img", "--data", "pngs");
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("units          512 dimensions", score.Stdout);
    }

    [Fact]
    public void AliasTrainsAFlowCheckpointAndResumes()
    {
        var args = new[] { "train", "maf", "--data", "moons", "--points", "400", "--layers", "2", "--hidden", "8", "--batch-size", "32",
            "--out", "maf", "--seed", "1" };
        var first = Loom([.. args, "--steps", "10"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var info = Loom("info", "maf");
        Assert.Contains("kind      flow", info.Stdout);
        Assert.Contains("\"architecture\": \"maf\"", File.ReadAllText(In("maf/run.json")));
        var resumed = Loom([.. args, "--steps", "20", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("steps                    20", resumed.Stdout);
    }

    [Fact]
    public void BadInputGetsOneLine()
    {
        CliAssert.OneLineError(Loom("train", "flow", "--data", "moons", "--architecture", "nice", "--out", "o1"), 2, "nice");
        Assert.False(Directory.Exists(In("o1")));
        CliAssert.OneLineError(Loom("train", "maf", "--data", "moons", "--architecture", "glow", "--out", "o2"), 2, "glow");
        Directory.CreateDirectory(In("odd"));
        using (var images = torch.rand([4, 1, 6, 6], generator: new torch.Generator(3)))
            for (int i = 0; i < 4; i++)
                Png.Write(In($"odd/{i}.png"), images[i]);
        CliAssert.OneLineError(Loom("train", "flow", "--data", "odd", "--architecture", "glow", "--scales", "2", "--out", "o3"), 2,
            "even height and width");
        Assert.False(Directory.Exists(In("o3")));
        CliAssert.OneLineError(Loom("train", "flow", "--data", "odd", "--architecture", "maf", "--out", "o4"), 2,
            "images take realnvp or glow");
    }
}
