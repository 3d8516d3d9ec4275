using System.Text.Json.Nodes;
using Loom.Privacy;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom train gpt|llama --dp-…</c> through the real binary: per-line and per-window DP-SGD with ε in the card, and a
/// one-line refusal for an RNN.</summary>
public class LanguageModelDpCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-lm-dp");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private JsonNode Card(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(work, folder, "card.json")))!;

    [Fact]
    public void AGptOnNamesSpendsItsTargetEpsilonPerLine()
    {
        var run = Loom("train", "gpt", "--data", "names", "--steps", "4", "--batch-size", "64", "--layers", "1", "--heads", "2",
            "--width", "16", "--eval-every", "0", "--dp-epsilon", "4", "--seed", "1", "--out", "g");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("DP-SGD: noise multiplier", run.Stderr + run.Stdout);
        var card = Card("g");
        var privacy = card["privacy"]!;
        double epsilon = privacy["epsilon"]!.GetValue<double>(), q = privacy["sample_rate"]!.GetValue<double>();
        Assert.InRange(epsilon, 3.9, 4.0);
        Assert.Equal(4, privacy["steps"]!.GetValue<long>());
        Assert.Equal(RdpAccountant.Epsilon(privacy["noise_multiplier"]!.GetValue<double>(), q, 4, 1e-5).Epsilon, epsilon, 9);
        Assert.InRange(q, 64.0 / 32_100, 64.0 / 30_000);   // names: ~31k training lines, one example each
        Assert.True(double.IsFinite(card["metrics"]!["val_loss"]!.GetValue<double>()));
    }

    [Fact]
    public void ALlamaOnATextFileProtectsWindows()
    {
        string text = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog. ", 80));
        File.WriteAllText(Path.Combine(work, "text.txt"), text);
        var run = Loom("train", "llama", "--data", "text.txt", "--steps", "3", "--batch-size", "8", "--context", "16", "--layers", "1",
            "--heads", "2", "--width", "16", "--eval-every", "0", "--dp-noise", "1.1", "--dp-clip", "0.5", "--out", "l");
        Assert.True(run.ExitCode == 0, run.ToString());
        var privacy = Card("l")["privacy"]!;
        Assert.Equal(1.1, privacy["noise_multiplier"]!.GetValue<double>());
        Assert.Equal(0.5, privacy["max_grad_norm"]!.GetValue<double>());
        long windows = ((int)(text.Length * (1 - 0.1)) - 1) / 16;   // the training 90%'s disjoint 16-token windows
        Assert.Equal(8.0 / windows, privacy["sample_rate"]!.GetValue<double>(), 6);
    }

    [Fact]
    public void AnRnnIsRefusedInOneLine()
    {
        var result = Loom("train", "lstm", "--data", "names", "--steps", "1", "--dp-noise", "1", "--out", "r");
        CliAssert.OneLineError(result, 2, "per-example gradients for layer");
    }
}
