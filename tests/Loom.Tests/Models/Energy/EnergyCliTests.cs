using Loom.IO.Images;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Models.Energy;

/// <summary><c>loom train ebm</c> → <c>sample</c> through the real binary on points and images, and bad input.</summary>
public class EnergyCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-ebm-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private string In(string name) => Path.Combine(work, name);

    [Fact]
    public void TrainThenSamplePointsAsCsvAndPng()
    {
        var train = Loom("train", "ebm", "--data", "checkerboard", "--points", "400", "--hidden", "16", "--layers", "2", "--steps", "20",
            "--sgld-steps", "5", "--buffer-size", "200", "--batch-size", "32", "--sample-steps", "10", "--out", "ckpt", "--seed", "2");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("energy_gap", train.Stdout);
        Assert.True(File.Exists(In("ckpt/samples.png")));
        var sample = Loom("sample", "ckpt", "--n", "30", "--steps", "15", "--seed", "1", "--out", "s.csv");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var rows = File.ReadAllLines(In("s.csv"));
        Assert.Equal(30, rows.Length);
        Assert.All(rows, r => Assert.Equal(2, r.Split(',').Length));
        Assert.Equal(File.ReadAllText(In("s.csv")), Loom("sample", "ckpt", "--n", "30", "--steps", "15", "--seed", "1").Stdout);
        Assert.NotEqual(File.ReadAllText(In("s.csv")), Loom("sample", "ckpt", "--n", "30", "--steps", "16", "--seed", "1").Stdout);
        Assert.True(Loom("sample", "ckpt", "--n", "50", "--out", "s.png").ExitCode == 0);
        Assert.True(new FileInfo(In("s.png")).Length > 0);
    }

    [Fact]
    public void TrainOnImagesThenSampleAGrid()
    {
        Directory.CreateDirectory(In("pngs"));
        using (var images = torch.rand([8, 1, 8, 8], generator: new torch.Generator(4)))
            for (int i = 0; i < 8; i++)
                Png.Write(In($"pngs/{i}.png"), images[i]);
        var train = Loom("train", "ebm", "--data", "pngs", "--hidden", "4", "--steps", "3", "--sgld-steps", "2", "--batch-size", "4",
            "--buffer-size", "16", "--sample-steps", "3", "--out", "img");
        Assert.True(train.ExitCode == 0, train.ToString());
        var sample = Loom("sample", "img", "--n", "4", "--out", "grid.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(In("grid.png")));
    }

    [Fact]
    public void AJointModelTrainsOnLabelledImagesAndSamplesAClass()
    {
        var train = Loom("train", "ebm", "--data", "fashion-mnist", "--joint", "true", "--train-limit", "64", "--hidden", "4",
            "--steps", "4", "--sgld-steps", "2", "--batch-size", "16", "--buffer-size", "32", "--sample-steps", "2", "--out", "jem");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("test_accuracy", train.Stdout);
        var sample = Loom("sample", "jem", "--n", "3", "--class", "7", "--out", "sneakers.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(In("sneakers.png")));
        CliAssert.OneLineError(Loom("sample", "jem", "--n", "1", "--class", "10", "--out", "x.png"), 2, "--class");
        CliAssert.OneLineError(Loom("train", "ebm", "--data", "moons", "--joint", "true", "--steps", "1", "--out", "o4"), 1, "--joint");
    }

    [Fact]
    public void BadInputIsOneLine()
    {
        CliAssert.OneLineError(Loom("train", "ebm", "--data", "moons", "--reinit", "1.5", "--out", "o1"), 2, "--reinit");
        CliAssert.OneLineError(Loom("train", "ebm", "--data", "moons", "--step-size", "0", "--out", "o2"), 2, "--step-size");
        CliAssert.OneLineError(Loom("train", "ebm", "--data", "no-such-data", "--out", "o3"), 1, "no-such-data");
    }
}
