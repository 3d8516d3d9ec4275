using Loom.Data;
using Loom.IO;
using Loom.Tests.Data;
using Loom.Tests.Support;
using TorchSharp;
using Xunit;

namespace Loom.Tests.Cli;

/// <summary>VAEs through the real binary: train, sample, interpolate, anomaly scores, exact resume, bad input.</summary>
public class VaeCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-vae-cli");

    private static readonly string[] Moons = ["train", "vae", "--data", "moons", "--points", "2000", "--latent-dim", "2", "--hidden", "32",
        "--batch-size", "128", "--lr", "3e-3", "--warmup", "20", "--seed", "1", "--checkpoint-every", "0", "--eval-n", "200"];

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private System.Text.Json.Nodes.JsonNode Metrics(string folder) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(work, folder, "card.json")))!["metrics"]!;

    [Fact]
    public void Trains_on_moons_reports_held_out_bounds_samples_and_interpolates()
    {
        var trained = Loom([.. Moons, "--steps", "300", "--eval-k", "50", "--out", "m"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        foreach (var file in new[] { "samples.png", "loss.png", "log.jsonl", "model.safetensors" })
            Assert.True(File.Exists(Path.Combine(work, "m", file)), file);
        var metrics = Metrics("m");
        double elbo = metrics["test_elbo"]!.GetValue<double>(), nll = metrics["test_nll_k50"]!.GetValue<double>();
        Assert.True(nll < -elbo, $"importance-sampled NLL {nll} should be below −ELBO {-elbo}");
        var sampled = Loom("sample", "m", "--n", "500", "--seed", "2", "--out", "s.csv");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        using var samples = NumericCsv.ReadMatrix(Path.Combine(work, "s.csv")).to(torch.ScalarType.Float32);
        Assert.Equal(new long[] { 500, 2 }, samples.shape);
        // Decoder means lie on the moons and along both of them. Measured over training seeds 1–4 × sample seeds 2, 5:
        // 86–90% of samples within 0.3 of a fresh draw of the data (jitter std 0.2); x̄ −0.12…0.12 (data 0); std of x
        // 1.46–1.53 (data 1.74: decoder means leave out the jitter). One moon only would put x̄ near ±1; a collapsed
        // decoder, the std near 0; noise or a wrong scale, most samples off the moons.
        using var data = ToyData.Generate("moons", 2000, 99, dtype: torch.ScalarType.Float32);
        double onTheMoons = (torch.cdist(samples, data).min(1).values < 0.3).to(torch.ScalarType.Float32).mean().ToDouble();
        Assert.True(onTheMoons > 0.8, $"only {onTheMoons:P0} of the samples lie within 0.3 of the data");
        Assert.InRange(samples[.., 0].mean().ToDouble(), -0.4, 0.4);
        Assert.InRange(samples[.., 0].std().ToDouble(), 1.0, 2.2);
        var path = Loom("interpolate", "m", "--rows", "2", "--steps", "5", "--out", "path.csv");
        Assert.True(path.ExitCode == 0, path.ToString());
        using var points = NumericCsv.ReadMatrix(Path.Combine(work, "path.csv"));
        Assert.Equal(10, points.shape[0]);
        Assert.Equal(0, Loom("interpolate", "m", "--traverse", "--out", "trav.png").ExitCode);
        Assert.True(File.Exists(Path.Combine(work, "trav.png")));
    }

    [FashionMnistFact]
    public void Conditional_vae_samples_the_requested_class_with_labels_and_walks_between_images()
    {
        var trained =
            Loom("train", "cvae", "--data", "fashion-mnist", "--classes", "1,7", "--steps", "30", "--hidden", "64", "--latent-dim", "4",
            "--eval-k", "5", "--eval-n", "50", "--checkpoint-every", "0", "--latent-prior", "gmm", "--prior-components", "3", "--out", "c");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("3-component latent mixture per class", trained.Stdout);
        Assert.NotNull(Metrics("c")["latent_prior_fit_seconds"]);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(work, "c", "config.json")))!;
        Assert.Equal(10, config["config"]!["latent_prior"]!["mixtures"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(work, "c", "reconstructions.png")));
        var sampled = Loom("sample", "c", "--class", "7", "--n", "6", "--out", "s.safetensors");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        using var file = SafeTensorsFile.Load(Path.Combine(work, "s.safetensors"));
        Assert.Equal(new long[] { 6, 1, 28, 28 }, file.Tensors["samples"].shape);
        Assert.True(file.Tensors["labels"].eq(7).all().item<bool>());
        var walk = Loom("interpolate", "c", "--from", "fashion-mnist:0", "--to", "fashion-mnist:2", "--class", "1",
            "--steps", "4", "--out", "walk.png");
        Assert.True(walk.ExitCode == 0, walk.ToString());
        CliAssert.OneLineError(Loom("interpolate", "c", "--from", "fashion-mnist:0", "--to", "fashion-mnist:2", "--out", "walk.png"), 2,
            "--class");
    }

    [FashionMnistFact]
    public void Anomaly_scores_rank_a_held_out_class_and_report_its_auroc()
    {
        var trained =
            Loom("train", "vae", "--data", "fashion-mnist", "--classes", "1,9", "--steps", "60", "--hidden", "64", "--latent-dim", "4",
            "--eval-k", "0", "--eval-n", "50", "--checkpoint-every", "0", "--out", "a");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var scored = Loom("anomaly", "a", "--data", "fashion-mnist", "--n", "600", "--out", "scores.csv");
        Assert.True(scored.ExitCode == 0, scored.ToString());
        var lines = File.ReadAllLines(Path.Combine(work, "scores.csv"));
        Assert.Equal("index,label,score", lines[0]);
        Assert.Equal(601, lines.Length);
        Assert.Contains("AUROC", scored.Stdout);
        // Trousers (1) and ankle boots (9) are normal; the model has never seen the other eight classes.
        var all = System.Text.RegularExpressions.Regex.Match(scored.Stdout, @"all held-out\s+AUROC (\d\.\d+)");
        Assert.True(all.Success, scored.Stdout);
        Assert.True(double.Parse(all.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0.6, scored.Stdout);
        var printed = Loom("anomaly", "a", "--data", "fashion-mnist", "--n", "3", "--score", "reconstruction");
        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.StartsWith("index,label,score", printed.Stdout);
    }

    [FashionMnistFact]
    public void Vae_gan_training_logs_both_phases_keeps_the_discriminator_for_resume_only()
    {
        string[] args =
            ["train", "cvae", "--data", "fashion-mnist", "--classes", "1,7", "--hidden", "32", "--latent-dim", "4", "--batch-size", "16",
            "--eval-k", "0", "--eval-n", "20", "--checkpoint-every", "0", "--adversarial", "5", "--out", "g"];
        var first = Loom([.. args, "--steps", "4"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var logged = System.Text.Json.Nodes.JsonNode.Parse(File.ReadLines(Path.Combine(work, "g", "log.jsonl")).Last())!;
        Assert.NotNull(logged["discriminator_d_real"]);
        Assert.NotNull(logged["elbo_adversarial"]);
        using (var state = SafeTensorsFile.Load(Path.Combine(work, "g", "trainer-state.safetensors")))
            Assert.Contains(state.Tensors.Keys, k => k.StartsWith("adversary.", StringComparison.Ordinal));
        using (var model = SafeTensorsFile.Load(Path.Combine(work, "g", "model.safetensors")))
            Assert.DoesNotContain(model.Tensors.Keys,
                k => k.Contains("adversary", StringComparison.Ordinal) || k.Contains("discriminator", StringComparison.Ordinal));
        var resumed = Loom([.. args, "--steps", "6", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(6,
            System.Text.Json.Nodes.JsonNode.Parse(File.ReadLines(Path.Combine(work, "g", "log.jsonl")).Last())!["step"]!.GetValue<long>());
    }

    [Fact]
    public void Resumed_run_equals_an_uninterrupted_run()
    {
        Assert.Equal(0, Loom([.. Moons, "--steps", "80", "--eval-k", "0", "--out", "straight"]).ExitCode);
        Assert.Equal(0, Loom([.. Moons, "--steps", "30", "--eval-k", "0", "--out", "resumed"]).ExitCode);
        var resumed = Loom([.. Moons, "--steps", "80", "--eval-k", "0", "--out", "resumed", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "straight", "model.safetensors")),
            File.ReadAllBytes(Path.Combine(work, "resumed", "model.safetensors")));
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_nonzero_exit()
    {
        Assert.Equal(0, Loom([.. Moons, "--steps", "5", "--eval-k", "0", "--out", "m"]).ExitCode);
        foreach (var (args, expected) in new (string[], string)[]
        {
            ([.. Moons, "--steps", "5", "--iwae", "5", "--beta", "2", "--out", "x"],
                "--iwae: the IWAE bound has no KL term to weight; leave --beta at 1"),
            (["train", "cvae", "--data", "moons", "--steps", "5", "--out", "x"], "cvae"),
            ([.. Moons, "--steps", "5", "--network", "conv", "--out", "x"], "--network"),
            ([.. Moons, "--steps", "5", "--likelihood", "poisson", "--out", "x"], "--likelihood"),
            ([.. Moons, "--steps", "5", "--classes", "1,2", "--out", "x"], "--classes"),
            ([.. Moons, "--steps", "5", "--latent-prior", "flow", "--out", "x"], "--latent-prior"),
            ([.. Moons, "--steps", "5", "--adversarial", "2", "--out", "x"], "--adversarial"),
            ([.. Moons, "--steps", "5", "--adversarial", "-1", "--out", "x"], "--adversarial"),
            ([.. Moons, "--steps", "5", "--latent-prior", "gmm", "--prior-components", "0", "--out", "x"], "--prior-components"),
            (["sample", "m", "--class", "1"], "--class"),
            (["interpolate", "m", "--from", "fashion-mnist:0", "--to", "fashion-mnist:1", "--out", "x.png"],
                "--from: this model generates vectors"),
            (["interpolate", "m", "--steps", "1", "--out", "x.png"], "--steps"),
            (["interpolate", "m", "--out", "x.gif"], "--out"),
            (["anomaly", "m", "--data", "moons", "--score", "magic"], "--score"),
        })
        {
            CliAssert.OneLineError(Loom(args), 2, expected);
        }
    }
}
