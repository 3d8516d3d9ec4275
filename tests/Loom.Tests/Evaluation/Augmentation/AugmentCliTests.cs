using System.Text.Json.Nodes;
using Loom.Tests.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Evaluation.Augmentation;

/// <summary><c>loom augment</c> through the real binary: a tiny study writes its Markdown and JSON reports; bad input is one
/// error line naming the flag.</summary>
public class AugmentCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-augment");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private void TrainTinyVae(string kind, string folder)
    {
        var trained = Loom("train", kind, "--data", "fashion-mnist", "--hidden", "16", "--latent-dim", "2", "--batch-size", "16",
            "--steps", "3", "--eval-k", "0", "--eval-n", "20", "--checkpoint-every", "0", "--seed", "3", "--out", folder);
        Assert.True(trained.ExitCode == 0, trained.ToString());
    }

    [FashionMnistFact]
    public void A_tiny_study_writes_a_table_with_one_row_per_ratio()
    {
        TrainTinyVae("cvae", "cvae");
        var run = Loom("augment", "--generator", "cvae", "--per-class", "3", "--ratios", "0,1", "--seeds", "2", "--epochs", "1",
            "--batch-size", "10", "--test-size", "50", "--out", "report.md");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("augment: 4/4", run.Stderr);
        var markdown = File.ReadAllText(Path.Combine(work, "report.md"));
        Assert.Contains("| synthetic per real |", markdown);
        Assert.Contains("| 1 | 30 |", markdown);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "report.json")))!;
        var rows = json["rows"]!.AsArray();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            var accuracies = row!["accuracies"]!.AsArray().Select(a => a!.GetValue<double>()).ToList();
            Assert.Equal(2, accuracies.Count);
            Assert.All(accuracies, a => Assert.InRange(a, 0, 1));
        }
        Assert.Equal(50, json["test_images"]!.GetValue<int>());
        Assert.Equal(markdown, run.Stdout.Split("wrote ")[0]);
    }

    [FashionMnistFact]
    public void Bad_input_is_one_error_line()
    {
        TrainTinyVae("vae", "plain");
        CliAssert.OneLineErrorAfterProgress(Loom("augment", "--generator", "plain", "--per-class", "2", "--batch-size", "4",
            "--test-size", "10"), 2, "--generator: a 'vae' model here is not class-conditional", "augment");
        CliAssert.OneLineError(Loom("augment", "--generator", "plain", "--ratios", "0,lots"), 2, "--ratios: 'lots' is not a number");
        CliAssert.OneLineError(Loom("augment", "--generator", "plain", "--per-class", "2", "--batch-size", "64"), 2, "--batch-size");
        CliAssert.OneLineError(Loom("augment", "--generator", "missing"), 1, "missing: no such checkpoint folder");
    }
}
