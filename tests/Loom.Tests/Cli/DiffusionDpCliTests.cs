using System.Text.Json.Nodes;
using Loom.Privacy;
using Loom.Tests.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom train diffusion --dp-…</c> through the real binary: the MLP denoiser on a toy set and the U-Net on
/// Fashion-MNIST train with DP-SGD, ε lands in the card and log, and a resumed run keeps the accountant's steps.</summary>
public class DiffusionDpCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-diffusion-dp");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private JsonNode Privacy(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(work, folder, "card.json")))!["privacy"]!;

    private static readonly string[] Moons =
        ["train", "diffusion", "--data", "moons", "--points", "500", "--width", "16", "--layers", "1", "--batch-size", "50",
        "--sampler-steps", "2", "--checkpoint-every", "0", "--seed", "2"];

    [Fact]
    public void TheMlpDenoiserMeetsATargetEpsilonAndResumesItsAccountant()
    {
        var run = Loom([.. Moons, "--steps", "6", "--dp-epsilon", "2", "--dp-clip", "0.5", "--out", "m"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("DP-SGD: noise multiplier", run.Stderr + run.Stdout);
        var privacy = Privacy("m");
        Assert.InRange(privacy["epsilon"]!.GetValue<double>(), 1.9, 2.0);
        Assert.Equal(0.1, privacy["sample_rate"]!.GetValue<double>(), 9);

        string[] noisy = [.. Moons, "--dp-noise", "1.5", "--out", "r"];
        Assert.Equal(0, Loom([.. noisy, "--steps", "3"]).ExitCode);
        var resumed = Loom([.. noisy, "--steps", "5", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var spent = Privacy("r");
        Assert.Equal(5, spent["steps"]!.GetValue<long>());
        Assert.Equal(RdpAccountant.Epsilon(1.5, 0.1, 5, 1e-5).Epsilon, spent["epsilon"]!.GetValue<double>(), 9);
    }

    [FashionMnistFact]
    public void TheUNetTrainsWithDpSgdOnFashionMnist()
    {
        var run = Loom("train", "diffusion", "--data", "fashion-mnist", "--conditional", "--base-channels", "8", "--multipliers", "1,2",
            "--attention", "1", "--batch-size", "8", "--steps", "2", "--dp-noise", "1", "--sampler-steps", "2", "--checkpoint-every", "0",
            "--out", "u");
        Assert.True(run.ExitCode == 0, run.ToString());
        var privacy = Privacy("u");
        Assert.Equal(2, privacy["steps"]!.GetValue<long>());
        Assert.True(privacy["epsilon"]!.GetValue<double>() > 0);
        var log = File.ReadLines(Path.Combine(work, "u", "log.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Contains(log, l => l["epsilon"] is not null);
        Assert.All(log.Where(l => l["loss"] is not null), l => Assert.True(double.IsFinite(l["loss"]!.GetValue<double>())));
    }

    [Fact]
    public void BadPrivacySettingsAreOneLine()
    {
        CliAssert.OneLineError(Loom([.. Moons, "--steps", "1", "--dp-noise", "1", "--dp-clip", "0", "--out", "b"]), 2, "--dp-clip:");
    }
}
