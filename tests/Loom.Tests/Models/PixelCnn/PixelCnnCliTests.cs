using Loom.IO.Images;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Models.PixelCnn;

/// <summary>
/// <c>loom train pixelcnn</c> → <c>sample</c> → <c>score</c> through the real binary on tiny PNG folders, resume, bad input.
/// </summary>
public class PixelCnnCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-pixelcnn-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private string In(string name) => Path.Combine(work, name);

    private void WriteImages(string folder, int count, int height, int width)
    {
        Directory.CreateDirectory(In(folder));
        using var images = torch.rand([count, 1, height, width], generator: new torch.Generator(4));
        for (int i = 0; i < count; i++)
            Png.Write(In($"{folder}/{i:D2}.png"), images[i]);
    }

    private static double Value(string stdout, string key)
    {
        var line = stdout.Split('\n').First(l => l.TrimStart().StartsWith(key + " ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("byte")]
    public void TrainSampleScoreRoundTrip(string head)
    {
        WriteImages("pngs", 12, 6, 5);
        var train = Loom("train", "pixelcnn", "--data", "pngs", "--head", head, "--channels", "8", "--layers", "2", "--output-hidden", "8",
            "--steps", "6", "--batch-size", "4", "--eval-n", "12", "--out", "ckpt", "--seed", "2");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("train_nll", train.Stdout);
        Assert.True(File.Exists(In("ckpt/samples.png")));
        var sample = Loom("sample", "ckpt", "--n", "6", "--seed", "5", "--temperature", "0.8", "--out", "grid.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var again = Loom("sample", "ckpt", "--n", "6", "--seed", "5", "--temperature", "0.8", "--out", "grid2.png");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(File.ReadAllBytes(In("grid.png")), File.ReadAllBytes(In("grid2.png")));

        var score = Loom("score", "ckpt", "--data", "pngs");
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("units          360 dimensions", score.Stdout);
        // The card's train_nll (nats per image on the first images, the same fixed binarization for a binary head at seed 0 vs
        // the run's seed 2) and score's nats per image agree for the byte head, which has no binarization.
        double perImage = Value(score.Stdout, "nats_per_image");
        Assert.Equal(perImage / 30 / Math.Log(2), Value(score.Stdout, "bits"), 4);
        if (head == "byte")
            Assert.Equal(Value(train.Stdout, "train_nll"), perImage, 2);
    }

    [Fact]
    public void AStoppedRunResumesToMoreSteps()
    {
        WriteImages("pngs", 8, 4, 4);
        var args = new[] { "train", "pixelcnn", "--data", "pngs", "--channels", "8", "--layers", "2", "--output-hidden", "8",
            "--batch-size", "4", "--eval-n", "4", "--checkpoint-every", "2", "--out", "run", "--seed", "1" };
        var first = Loom([.. args, "--steps", "4"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var resumed = Loom([.. args, "--steps", "8", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("steps                    8", resumed.Stdout);
        var info = Loom("info", "run");
        Assert.Contains("kind      pixelcnn", info.Stdout);
    }

    [Fact]
    public void AConditionalModelSamplesTheClassAskedFor()
    {
        var train = Loom("train", "pixelcnn", "--data", "fashion-mnist", "--conditional", "true", "--train-limit", "16", "--channels", "4",
            "--layers", "1", "--output-hidden", "4", "--steps", "2", "--batch-size", "8", "--eval-n", "4", "--preview-samples", "0",
            "--out", "cond");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("test_nll_given_class", train.Stdout);
        var sample = Loom("sample", "cond", "--n", "2", "--class", "3", "--out", "dress.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(In("dress.png")));
        CliAssert.OneLineError(Loom("sample", "cond", "--n", "2", "--class", "10", "--out", "x.png"), 2, "0..9");
    }

    [Fact]
    public void BadInputGetsOneLine()
    {
        WriteImages("pngs", 4, 4, 4);
        CliAssert.OneLineError(Loom("train", "pixelcnn", "--data", "pngs", "--head", "logistic", "--out", "o1"), 2, "logistic");
        Assert.False(Directory.Exists(In("o1")));
        CliAssert.OneLineError(Loom("train", "pixelcnn", "--data", "pngs", "--kernel", "4", "--out", "o2"), 2, "odd");
        CliAssert.OneLineError(Loom("train", "pixelcnn", "--data", "nowhere", "--out", "o3"), 2, "nowhere");
        CliAssert.OneLineError(Loom("train", "pixelcnn", "--data", "pngs", "--conditional", "true", "--out", "o4"), 2, "class labels");
        var train = Loom("train", "pixelcnn", "--data", "pngs", "--channels", "4", "--layers", "1", "--output-hidden", "4", "--steps", "1",
            "--batch-size", "2", "--eval-n", "0", "--out", "tiny");
        Assert.True(train.ExitCode == 0, train.ToString());
        CliAssert.OneLineError(Loom("sample", "tiny", "--class", "1", "--out", "x.png"), 2, "not class-conditional");
        File.WriteAllText(In("text.txt"), "hello");
        CliAssert.OneLineError(Loom("score", "tiny", "--data", "text.txt"), 1, "folder of PNGs");
        WriteImages("big", 2, 5, 4);
        CliAssert.OneLineError(Loom("score", "tiny", "--data", "big"), 1, "[n, 1, 4, 4]");
    }
}
