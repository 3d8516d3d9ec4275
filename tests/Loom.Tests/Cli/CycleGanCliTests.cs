using System.Text.Json.Nodes;
using Loom.IO.Images;
using Loom.Tests.Adversarial.CycleGan;
using Loom.Tests.Data;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Cli;

/// <summary>CycleGAN through the real binary: train on Fashion-MNIST classes and on folders, translate, resume exactly, bad
/// input.</summary>
public class CycleGanCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-cyclegan-cli");

    private static readonly string[] Tiny =
        ["--batch-size", "4", "--base-channels", "4", "--res-blocks", "1", "--disc-channels", "4", "--checkpoint-every", "0"];

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    /// <summary>Two folders of 8×8 PNGs: bright left halves (a/) and bright right halves (b/).</summary>
    private void WriteFolders(int count = 12)
    {
        foreach (var (name, left, seed) in new[] { ("a", true, 1L), ("b", false, 2L) })
        {
            Directory.CreateDirectory(Path.Combine(work, name));
            using var images = CycleGanTestData.Halves(left, count, 8, seed);
            for (int i = 0; i < count; i++)
                Png.Write(Path.Combine(work, name, $"img{i:D2}.png"), images[i]);
        }
    }

    private string[] FolderTrain(string output, int steps) =>
        ["train", "cyclegan", "--data-a", "a", "--data-b", "b", .. Tiny, "--downsamples", "1", "--pool-size", "6", "--seed", "5", "--steps",
            steps.ToString(), "--out", output];

    private long[] PngShape(string file)
    {
        using var image = Png.Read(Path.Combine(work, file));
        return image.shape;
    }

    [FashionMnistFact]
    public void Trains_on_two_fashion_mnist_classes_then_translates_files_test_images_and_batches()
    {
        var trained = Loom(["train", "cyclegan", "--data", "fashion-mnist", "--domain-a", "sandal", "--domain-b", "7", .. Tiny,
            "--steps", "4", "--out", "fm"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("Sandal", trained.Stdout);
        Assert.Equal(new long[] { 1, 6 * 30 + 2, 8 * 30 + 2 }, PngShape(Path.Combine("fm", "translations.png")));   // 6 rows of 8
        Assert.True(File.Exists(Path.Combine(work, "fm", "loss.png")));
        var log = File.ReadAllLines(Path.Combine(work, "fm", "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, log[^1]["step"]!.GetValue<int>());
        foreach (var key in new[] { "generators_cycle", "generators_identity", "discriminators_d_a", "discriminators_d_b" })
            Assert.True(log[^1].AsObject().ContainsKey(key), key);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "fm", "config.json")))!["config"]!;
        Assert.Equal("Sneaker", config["domain_b"]!["name"]!.GetValue<string>());

        var one = Loom("translate", "fm", "--image", "fashion-mnist:0", "--out", "one.png");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal(new long[] { 1, 28, 28 }, PngShape("one.png"));
        var strip = Loom("translate", "fm", "--image", "one.png", "--direction", "b2a", "--cycle", "--out", "strip.png");
        Assert.True(strip.ExitCode == 0, strip.ToString());
        Assert.Contains("Sneaker → Sandal", strip.Stdout);
        Assert.Equal(new long[] { 1, 32, 3 * 30 + 2 }, PngShape("strip.png"));   // original | translated | reconstructed
        var batch =
            Loom("translate", "fm", "--images", "fashion-mnist-test:sneaker", "--n", "4", "--direction", "b2a", "--out", "batch.png");
        Assert.True(batch.ExitCode == 0, batch.ToString());
        Assert.Equal(new long[] { 1, 62, 62 }, PngShape("batch.png"));   // 2×2 grid
        var tensors = Loom("translate", "fm", "--images", "fashion-mnist-test:sandal", "--n", "3", "--out", "t.safetensors");
        Assert.True(tensors.ExitCode == 0, tensors.ToString());
        using (var file = global::Loom.IO.SafeTensorsFile.Load(Path.Combine(work, "t.safetensors")))
        {
            Assert.Equal(new long[] { 3, 1, 28, 28 }, file.Tensors["samples"].shape);
            Assert.True(file.Tensors["labels"].eq(7).all().item<bool>());   // sandal → sneaker: the target class
        }
        var sampled = Loom("sample", "fm", "--n", "4", "--out", "s.png");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
    }

    [Fact]
    public void Trains_on_folders_and_a_resumed_run_equals_an_uninterrupted_one()
    {
        WriteFolders();
        // float64 takes libtorch's plain CPU convolution, free of oneDNN's intermittent NaN gradients (docs/cyclegan.md),
        // so no update is skipped and the two runs must agree to the bit. The pool (6 images, 4 per step) is full and
        // swapping before the resume point.
        var straight = Loom([.. FolderTrain("straight", 6), "--dtype", "float64"]);
        Assert.True(straight.ExitCode == 0, straight.ToString());
        var first = Loom([.. FolderTrain("resumed", 3), "--dtype", "float64"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var resumed = Loom([.. FolderTrain("resumed", 6), "--dtype", "float64", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "straight", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(work, "resumed", "model.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "straight", "trainer-state.safetensors")),
            File.ReadAllBytes(Path.Combine(work, "resumed", "trainer-state.safetensors")));
        var log = File.ReadAllLines(Path.Combine(work, "resumed", "log.jsonl"));
        Assert.Equal(["3", "6"], log.Select(l => JsonNode.Parse(l)!["step"]!.ToJsonString()));

        var translated = Loom("translate", "straight", "--image", Path.Combine("a", "img00.png"), "--out", "t.png");
        Assert.True(translated.ExitCode == 0, translated.ToString());
        Assert.Equal(new long[] { 1, 8, 8 }, PngShape("t.png"));
        var folderBatch = Loom("translate", "straight", "--images", "b", "--n", "3", "--direction", "b2a", "--cycle", "--out", "fb.png");
        Assert.True(folderBatch.ExitCode == 0, folderBatch.ToString());
        Assert.Equal(new long[] { 1, 3 * 10 + 2, 3 * 10 + 2 }, PngShape("fb.png"));
        CliAssert.OneLineError(Loom("sample", "straight", "--n", "2"), 2, "loom translate");
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_nonzero_exit()
    {
        string[] fashion = ["train", "cyclegan", "--data", "fashion-mnist", .. Tiny, "--out", "x"];
        CliAssert.OneLineError(Loom([.. fashion, "--domain-a", "sandal", "--domain-b", "5"]), 2, "same class");
        CliAssert.OneLineError(Loom([.. fashion, "--domain-a", "boots", "--domain-b", "sneaker"]), 2,
            "--domain-a: 'boots' is not a Fashion-MNIST class");
        CliAssert.OneLineError(Loom([.. fashion, "--domain-a", "12", "--domain-b", "sneaker"]), 2, "--domain-a");
        CliAssert.OneLineError(Loom([.. fashion, "--domain-a", "sandal"]), 2, "--domain-b");
        CliAssert.OneLineError(Loom(["train", "cyclegan", "--data-a", "nowhere", .. Tiny, "--out", "x"]), 2, "--data-b");
        CliAssert.OneLineError(Loom(["train", "cyclegan", "--data-a", "nowhere", "--data-b", "elsewhere", .. Tiny, "--out", "x"]),
            1, "no such folder");
        Assert.False(Directory.Exists(Path.Combine(work, "x")));

        var gmm = Loom("train", "gmm", "--data", "moons", "--components", "2", "--points", "200", "--out", "gmm");
        Assert.True(gmm.ExitCode == 0, gmm.ToString());
        CliAssert.OneLineError(Loom("translate", "gmm", "--image", "whatever.png", "--out", "t.png"), 2, "needs a cyclegan checkpoint");

        WriteFolders(4);
        Assert.Equal(0, Loom(FolderTrain("m", 1)).ExitCode);
        CliAssert.OneLineError(Loom([.. FolderTrain("half", 1), "--dtype", "float16"]), 2, "--dtype");
        var sideways = Loom("translate", "m", "--image", Path.Combine("a", "img00.png"), "--direction", "sideways", "--out", "t.png");
        CliAssert.OneLineError(sideways, 2, "--direction");
        using (var big = torch.rand(1, 10, 10)) Png.Write(Path.Combine(work, "big.png"), big);
        CliAssert.OneLineError(Loom("translate", "m", "--image", "big.png", "--out", "t.png"), 2, "8×8");
        CliAssert.OneLineError(Loom("translate", "m", "--out", "t.png"), 2, "--image");
        CliAssert.OneLineError(Loom("translate", "m", "--image", Path.Combine("a", "img00.png"), "--out", "t.jpg"), 2, "--out");
        CliAssert.OneLineError(Loom("translate", "m", "--images", "fashion-mnist-test:hats", "--out", "t.png"), 2, "hats");
    }
}
