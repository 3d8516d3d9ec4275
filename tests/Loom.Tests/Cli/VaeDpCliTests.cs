using System.Text.Json.Nodes;
using Loom.Privacy;
using Loom.Tests.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom train vae --dp-…</c> through the real binary: DP-SGD's ε in the model card, kept across a resume, and
/// one-line refusals.</summary>
public class VaeDpCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-vae-dp");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private JsonNode Privacy(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(work, folder, "card.json")))!["privacy"]!;

    private static readonly string[] Tiny =
        ["train", "vae", "--data", "fashion-mnist", "--classes", "1,7", "--hidden", "16", "--latent-dim", "2", "--batch-size", "16",
        "--eval-k", "0", "--eval-n", "20", "--checkpoint-every", "0", "--seed", "3"];

    [FashionMnistFact]
    public void ATargetEpsilonIsMetAndRecordedInTheCard()
    {
        var run = Loom([.. Tiny, "--steps", "4", "--dp-epsilon", "3", "--dp-clip", "0.5", "--out", "t"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var privacy = Privacy("t");
        double epsilon = privacy["epsilon"]!.GetValue<double>();
        Assert.InRange(epsilon, 2.9, 3.0);
        Assert.Equal(0.5, privacy["max_grad_norm"]!.GetValue<double>());
        Assert.Equal(4, privacy["steps"]!.GetValue<long>());
        double q = privacy["sample_rate"]!.GetValue<double>(), sigma = privacy["noise_multiplier"]!.GetValue<double>();
        Assert.Equal(RdpAccountant.Epsilon(sigma, q, 4, 1e-5).Epsilon, epsilon, 9);
        var logged = JsonNode.Parse(File.ReadLines(Path.Combine(work, "t", "log.jsonl")).Last())!;
        Assert.Equal(epsilon, logged["epsilon"]!.GetValue<double>(), 9);
    }

    [FashionMnistFact]
    public void ACvaeTrainsWithDpSgdAndSamplesTheClassAskedFor()
    {
        // `cvae` is `vae --conditional`: the class one-hot enters encoder and decoder, and DP-SGD clips its gradients too.
        var run = Loom(["train", "cvae", .. Tiny[2..], "--train-limit", "64", "--steps", "4", "--dp-epsilon", "8", "--out", "cv"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.InRange(Privacy("cv")["epsilon"]!.GetValue<double>(), 7.9, 8.0);
        Assert.Equal(16.0 / 64, Privacy("cv")["sample_rate"]!.GetValue<double>(), 12);   // --train-limit: 64 training images
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "cv", "card.json")))!;
        Assert.Contains("first=64", card["data"]![0]!["source"]!.GetValue<string>());
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "cv", "config.json")))!["config"]!;
        var names = config["class_names"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Equal(10, names.Length);   // conditioned on Fashion-MNIST's own class ids, trained on two of them
        Assert.Equal("Sneaker", names[7]);
        var sample = Loom("sample", "cv", "--n", "2", "--class", "7", "--out", "cv.png");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(File.Exists(Path.Combine(work, "cv.png")));
    }

    [FashionMnistFact]
    public void TheConvVaeTrainsWithDpSgd()
    {
        // Conv encoder, residual blocks and the decoder's transposed convolutions all have per-example rules.
        var run = Loom(["train", "vae", "--data", "fashion-mnist", "--classes", "1,7", "--network", "conv", "--base-channels", "4",
            "--res-blocks", "1", "--hidden", "16", "--latent-dim", "2", "--batch-size", "16", "--eval-k", "0", "--eval-n", "20",
            "--checkpoint-every", "0", "--seed", "3", "--steps", "2", "--dp-noise", "1", "--out", "c"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, Privacy("c")["steps"]!.GetValue<long>());
        Assert.True(Privacy("c")["epsilon"]!.GetValue<double>() > 0);
    }

    [FashionMnistFact]
    public void AResumedRunKeepsTheAccountantsSteps()
    {
        string[] args = [.. Tiny, "--dp-noise", "1.2", "--out", "r"];
        var first = Loom([.. args, "--steps", "3"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var resumed = Loom([.. args, "--steps", "5", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var privacy = Privacy("r");
        Assert.Equal(5, privacy["steps"]!.GetValue<long>());
        double q = privacy["sample_rate"]!.GetValue<double>();
        Assert.Equal(RdpAccountant.Epsilon(1.2, q, 5, 1e-5).Epsilon, privacy["epsilon"]!.GetValue<double>(), 9);
    }

    [Theory]
    [InlineData("--dp-delta:", "--dp-noise", "1", "--dp-delta", "2")]
    [InlineData("--dp-epsilon:", "--dp-noise", "1", "--dp-epsilon", "2")]
    [InlineData("--dp-clip:", "--dp-noise", "1", "--dp-clip", "0")]
    [InlineData("--iwae:", "--dp-noise", "1", "--iwae", "2")]
    [InlineData("--adversarial:", "--dp-noise", "1", "--adversarial", "1")]
    public void BadPrivacySettingsGetOneLineNamingTheFlag(string flag, params string[] extra)
    {
        var result = Loom(["train", "vae", "--data", "moons", "--points", "200", "--steps", "1", "--out", "bad", .. extra]);
        CliAssert.OneLineError(result, 2, flag);
    }

    [Fact]
    public void AModelWithALayerDpSgdCannotHandleIsRefusedInOneLine()
    {
        // A Gaussian VAE learns its decoder scale as a bare parameter of the model, outside any layer with a rule.
        var result = Loom("train", "vae", "--data", "moons", "--points", "200", "--steps", "1", "--dp-noise", "1", "--out", "g");
        CliAssert.OneLineError(result, 2, "per-example gradients for layer 'vae'");
    }

    [Fact]
    public void AFamilyWithoutDpSgdRejectsTheFlags()
    {
        var result = Loom("train", "gan", "--data", "moons", "--steps", "1", "--dp-epsilon", "3", "--out", "gan");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--dp-epsilon", result.Stderr);
    }
}
