using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Cli;

/// <summary>Diffusion through the real binary: train on 2-D data, sample with several samplers, resume exactly, bad input.</summary>
public class DiffusionCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-diffusion-cli");

    private static readonly string[] Train = ["train", "diffusion", "--data", "8gaussians", "--points", "4000", "--width", "64", "--layers", "2",
        "--batch-size", "256", "--lr", "2e-3", "--warmup", "50", "--seed", "1", "--checkpoint-every", "0"];

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void Trains_on_two_d_data_and_every_sampler_lands_near_the_data()
    {
        var trained = Loom([.. Train, "--steps", "600", "--out", "m"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.True(File.Exists(Path.Combine(work, "m", "samples.png")));
        Assert.True(File.Exists(Path.Combine(work, "m", "loss.png")));
        var vectorConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(work, "m", "config.json")))!["config"]!;
        Assert.Equal("linear", vectorConfig["schedule"]!.GetValue<string>());   // vector defaults: linear schedule, ε-prediction
        Assert.Equal("epsilon", vectorConfig["prediction"]!.GetValue<string>());
        using var data = ToyData.Generate("8gaussians", 1000, 99, dtype: torch.ScalarType.Float32);
        foreach (var (sampler, steps) in new[] { ("ddim", "30"), ("dpm++2m", "15"), ("euler-a", "40"), ("heun", "15") })
        {
            var file = $"{sampler}.csv";
            var sampled = Loom("sample", "m", "--n", "1000", "--sampler", sampler, "--steps", steps, "--seed", "3", "--out", file);
            Assert.True(sampled.ExitCode == 0, sampled.ToString());
            using var x = NumericCsv.ReadMatrix(Path.Combine(work, file)).to(torch.ScalarType.Float32);
            Assert.Equal(new long[] { 1000, 2 }, x.shape);
            // Nearest data point within 1.0 for most samples (the modes sit on a circle of radius 2√2·…; noise 0.5).
            var nearest = torch.cdist(x, data).min(1).values;
            double close = (nearest < 1.0).to(torch.ScalarType.Float32).mean().ToDouble();
            Assert.True(close > 0.9, $"{sampler}: only {close:P0} of samples lie near the data");
        }
        var again = Loom("sample", "m", "--n", "5", "--sampler", "euler-a", "--steps", "10", "--seed", "3", "--out", "a.csv");
        var again2 = Loom("sample", "m", "--n", "5", "--sampler", "euler-a", "--steps", "10", "--seed", "3", "--out", "b.csv");
        Assert.Equal(0, again.ExitCode + again2.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(work, "a.csv")), File.ReadAllText(Path.Combine(work, "b.csv")));
        var path = Loom("sample", "m", "--interpolate", "5", "--sampler", "ddim", "--steps", "10", "--out", "path.csv");
        Assert.True(path.ExitCode == 0, path.ToString());
        using var points = NumericCsv.ReadMatrix(Path.Combine(work, "path.csv"));
        Assert.Equal(5, points.shape[0]);
        Assert.True((points[0] - points[4]).norm().ToDouble() > 1e-3);
    }

    [Fact]
    public void Conditional_image_model_samples_classes_inpaints_and_is_evaluated_with_class_accuracy()
    {
        var trained = Loom("train", "diffusion", "--data", "fashion-mnist", "--conditional", "--steps", "4", "--base-channels", "8", "--multipliers", "1,2",
            "--attention", "1", "--batch-size", "8", "--sampler-steps", "2", "--checkpoint-every", "0", "--out", "fm");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.True(File.Exists(Path.Combine(work, "fm", "samples.png")));
        var imageConfig = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(work, "fm", "config.json")))!["config"]!;
        Assert.Equal("cosine", imageConfig["schedule"]!.GetValue<string>());   // image defaults: cosine schedule, v-prediction
        Assert.Equal("v", imageConfig["prediction"]!.GetValue<string>());
        var sampled = Loom("sample", "fm", "--class", "all", "--n", "130", "--steps", "1", "--guidance", "3", "--out", "s.safetensors");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        foreach (var edit in new[] { new[] { "inpaint", "fm", "--image", "fashion-mnist:0", "--mask", "center", "--n", "3", "--steps", "2", "--resample", "2", "--out", "inpaint.png" },
                                     new[] { "img2img", "fm", "--image", "fashion-mnist:1", "--strength", "0.5", "--n", "3", "--steps", "4", "--out", "i2i.png" } })
        {
            var result = Loom(edit);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(File.Exists(Path.Combine(work, edit[^1])));
        }
        var eval = Loom("eval", "s.safetensors", "--data", "fashion-mnist", "--cache", "/tmp/loom-test-feature-cache", "--out", "eval");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var metrics = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(work, "eval", "metrics.json")))!["results"]![0]!["metrics"]!;
        Assert.InRange(metrics["class_accuracy"]!.GetValue<double>(), 0, 1);
        var unconditional = Loom("sample", "fm", "--class", "12", "--steps", "2");
        Assert.Equal(2, unconditional.ExitCode);
        Assert.Contains("--class", unconditional.Stderr);
    }

    [Fact]
    public void Resumed_run_equals_an_uninterrupted_run()
    {
        Assert.Equal(0, Loom([.. Train, "--steps", "120", "--out", "straight"]).ExitCode);
        Assert.Equal(0, Loom([.. Train, "--steps", "50", "--out", "resumed"]).ExitCode);
        var resumed = Loom([.. Train, "--steps", "120", "--out", "resumed", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "straight", "model.safetensors")), File.ReadAllBytes(Path.Combine(work, "resumed", "model.safetensors")));
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_nonzero_exit()
    {
        var conditional = Loom([.. Train, "--steps", "5", "--out", "x", "--conditional"]);
        Assert.Equal(2, conditional.ExitCode);
        Assert.Contains("--conditional", conditional.Stderr);
        Assert.Equal(0, Loom([.. Train, "--steps", "5", "--out", "m"]).ExitCode);
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["sample", "m", "--sampler", "magic"], "--sampler"),
            (["sample", "m", "--class", "3"], "--class"),
            (["sample", "m", "--steps", "5000"], "--steps"),
        })
        {
            var result = Loom(args);
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains(expected, result.Stderr);
            Assert.DoesNotContain("   at ", result.Stderr);
        }
    }
}
