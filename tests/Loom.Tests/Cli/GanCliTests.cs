using System.Text.Json.Nodes;
using Loom.Data;
using Loom.Evaluation.Suite;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Tests.Data;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Cli;

/// <summary>GANs through the real binary: train on 2-D data, progress pictures, sample, exact resume, images, bad input.</summary>
public class GanCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-gan-cli");

    private static readonly string[] Toy =
        ["train", "wgan-gp", "--data", "8gaussians", "--points", "2000", "--width", "32", "--layers", "2",
        "--batch-size", "64", "--seed", "1", "--checkpoint-every", "0"];

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void Wgan_gp_on_two_d_data_writes_pictures_logs_and_samples_through_the_generic_path()
    {
        var trained = Loom([.. Toy, "--steps", "300", "--sample-every", "100", "--out", "m"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        foreach (var file in new[]
        {
            "samples.png", "loss.png", "log.jsonl", "config.json", "progress/step-000100.png",
            "progress/step-000200.png", "progress/step-000300.png"
        })
            Assert.True(File.Exists(Path.Combine(work, "m", file)), file);
        var log = File.ReadAllLines(Path.Combine(work, "m", "log.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(e => e["warning"] is null).ToList();
        Assert.Equal(30, log.Count);
        // Every line has the critic's numbers and the latest generator loss, though the generator runs every fifth step.
        Assert.All(log, e => Assert.NotNull(e["discriminator_gp"]));
        Assert.All(log, e => Assert.NotNull(e["generator_loss"]));
        Assert.NotNull(log[9]["diversity"]);

        var sampled = Loom("sample", "m", "--n", "50", "--seed", "3", "--out", "s.csv");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        using var x = NumericCsv.ReadMatrix(Path.Combine(work, "s.csv"));
        Assert.Equal(new long[] { 50, 2 }, x.shape);
        Assert.True(torch.isfinite(x).all().item<bool>());
        Assert.Equal(0, Loom("sample", "m", "--n", "50", "--seed", "3", "--out", "t.csv").ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(work, "s.csv")), File.ReadAllText(Path.Combine(work, "t.csv")));
        var picture = Loom("sample", "m", "--n", "64", "--out", "x.png");
        Assert.True(picture.ExitCode == 0, picture.ToString());
        Assert.True(File.Exists(Path.Combine(work, "x.png")));
    }

    [Fact]
    public void Resumed_run_equals_an_uninterrupted_run()
    {
        // 63 is not a multiple of n_critic = 5: the resumed run starts inside a generator cycle. With a generator EMA, the
        // saved model is the average and the trainer state the live weights: both must come back.
        Assert.Equal(0, Loom([.. Toy, "--steps", "120", "--ema", "0.95", "--out", "straight"]).ExitCode);
        Assert.Equal(0, Loom([.. Toy, "--steps", "63", "--ema", "0.95", "--out", "resumed"]).ExitCode);
        var resumed = Loom([.. Toy, "--steps", "120", "--ema", "0.95", "--out", "resumed", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "straight", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(work, "resumed", "model.safetensors")));
        var steps = File.ReadAllLines(Path.Combine(work, "resumed", "log.jsonl"))
            .Select(l => JsonNode.Parse(l)!["step"]!.GetValue<long>()).ToList();
        Assert.Equal(steps.Order().ToList(), steps);
        Assert.Equal(120, steps[^1]);
        Assert.Contains("moving average", File.ReadAllText(Path.Combine(work, "resumed", "card.json")));
        var saved = Checkpoint.ReadTrainerState(Path.Combine(work, "resumed"));
        Assert.Contains("ema.0", saved.Tensors.Keys);
        using var model = Checkpoint.Load(Path.Combine(work, "resumed"));
        var generator = model.GetState().Where(p => p.Key.StartsWith("generator.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(generator);
        // The saved generator is the average; the trainer state keeps the live weights (they differ after 120 steps).
        Assert.Contains(generator, p => !p.Value.eq(saved.Tensors["model." + p.Key]).all().item<bool>());
    }

    [FashionMnistFact]
    public void Dcgan_and_cgan_train_on_fashion_mnist_and_sample()
    {
        var dcgan = Loom("train", "dcgan", "--data", "fashion-mnist", "--steps", "3", "--base-channels", "8", "--batch-size", "16",
            "--sample-every", "0", "--out", "dc");
        Assert.True(dcgan.ExitCode == 0, dcgan.ToString());
        Assert.True(File.Exists(Path.Combine(work, "dc", "samples.png")));
        var cgan = Loom("train", "cgan", "--data", "fashion-mnist", "--classes", "0,5,7", "--steps", "2",
            "--base-channels", "8", "--batch-size", "16",
            "--class-norm", "--sample-every", "0", "--out", "cg");
        Assert.True(cgan.ExitCode == 0, cgan.ToString());
        Assert.Contains("3 classes", cgan.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "cg", "config.json")))!["config"]!;
        Assert.Equal("hinge", config["loss"]!.GetValue<string>());
        Assert.True(config["spectral_norm"]!.GetValue<bool>());
        Assert.True(config["class_norm"]!.GetValue<bool>());
        Assert.True(config["aux_classifier"]!.GetValue<bool>());   // the cgan preset's default (λ 1)
        Assert.Contains("class_ce", File.ReadAllText(Path.Combine(work, "cg", "log.jsonl")));
        // A run without the classifier head (--aux-classifier 0, or saved before the preset had one) resumes without it.
        string[] small = ["--data", "fashion-mnist", "--classes", "0,5,7", "--base-channels", "8", "--batch-size", "16",
            "--sample-every", "0", "--out", "cg0"];
        Assert.Equal(0, Loom(["train", "cgan", .. small, "--steps", "2", "--aux-classifier", "0"]).ExitCode);
        Assert.False(
            JsonNode.Parse(File.ReadAllText(Path.Combine(work, "cg0", "config.json")))!["config"]!["aux_classifier"]!.GetValue<bool>());
        var resumed = Loom(["train", "cgan", .. small, "--steps", "3", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.DoesNotContain("class_ce", File.ReadAllLines(Path.Combine(work, "cg0", "log.jsonl")).Last());
        Assert.Equal(["T-shirt/top", "Sandal", "Sneaker"], config["class_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        var sampled = Loom("sample", "cg", "--n", "6", "--out", "cg.png");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        Assert.True(File.Exists(Path.Combine(work, "cg.png")));
        // Labels 0..2 of the subset travel with their names, so an evaluation can score them as T-shirt, sandal, sneaker.
        Assert.Equal(0, Loom("sample", "cg", "--n", "6", "--class", "all", "--temperature", "0.8", "--out", "cg.safetensors").ExitCode);
        using var file = SampleTensorFile.Load(Path.Combine(work, "cg.safetensors"));
        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2 }, file.Labels!.data<long>().ToArray());
        Assert.Equal(["T-shirt/top", "Sandal", "Sneaker"], file.ClassNames!);
        using var reference = ReferenceLabels.Map(file.Labels, file.ClassNames, FashionMnist.ClassNames, out var problem);
        Assert.Null(problem);
        Assert.Equal(new long[] { 0, 0, 5, 5, 7, 7 }, reference!.data<long>().ToArray());
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_nonzero_exit()
    {
        foreach (var (args, expected) in new (string[], string)[]
        {
            ([.. Toy, "--steps", "5", "--loss", "minimax", "--out", "x"], "--loss"),
            (["train", "cgan", "--data", "8gaussians", "--steps", "5", "--out", "x"], "class labels"),
            ([.. Toy, "--steps", "-5", "--out", "x"], "--steps"),
            ([.. Toy, "--steps", "5", "--n-critic", "0", "--out", "x"], "--n-critic"),
            ([.. Toy, "--steps", "5", "--ema", "1.5", "--out", "x"], "--ema"),
            ([.. Toy, "--steps", "5", "--classes", "1,2", "--out", "x"], "--classes"),
            ([.. Toy, "--steps", "5", "--class-norm", "--out", "x"], "--class-norm"),
            ([.. Toy, "--steps", "5", "--aux-classifier", "1", "--out", "x"], "--aux-classifier"),
            (["train", "cgan", "--data", "8gaussians", "--steps", "5", "--aux-classifier", "-1", "--out", "x"], "--aux-classifier"),
            ([.. Toy, "--steps", "5", "--out", "none", "--resume"], "--resume"),
        })
        {
            CliAssert.OneLineError(Loom(args), 2, expected);
            Assert.False(Directory.Exists(Path.Combine(work, "x")), "nothing is written for bad input");
        }
    }
}
