using System.Text.Json.Nodes;
using Loom.Data;
using Loom.Evaluation.Audit;
using Loom.Evaluation.Suite;
using Loom.Models;
using Loom.Tests.Data;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Cli;

/// <summary><c>loom audit</c> through the real binary on an n-gram model of a small text, the image representation section on
/// Fashion-MNIST, and the one-line errors bad input gets.</summary>
public sealed class AuditCliTests : IDisposable
{
    private readonly TempFolder folder = new();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(folder.Path, TimeSpan.FromMinutes(4), args);

    private (string Checkpoint, string Text) TrainNGram()
    {
        var text = folder.File("court.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat(
            "the king spoke to his lords of war and the queen wept for her son while the lady sang\n", 40)));
        var ckpt = folder.File("ngram");
        var train = Loom("train", "ngram", "--data", text, "--order", "4", "--out", ckpt);
        Assert.True(train.ExitCode == 0, train.ToString());
        return (ckpt, text);
    }

    [Fact]
    public void Audit_writes_every_section_for_a_text_model()
    {
        var (ckpt, text) = TrainNGram();
        var result = Loom("audit", ckpt, "--data", text, "--samples", "12", "--out", "audit", "--copy-ngram", "6");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Provenance of the checkpoint: trained on 1 recorded data file(s) (court.txt sha256:", result.Stdout);
        Assert.Contains("every file matches manifest.json", result.Stdout);
        Assert.Contains("Differential privacy: not trained with differential privacy", result.Stdout);
        var json = JsonNode.Parse(File.ReadAllText(folder.File("audit/audit.json")))!;
        var sections = json["sections"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(["provenance", "privacy", "memorization", "representation"], sections);
        var memorization = json["sections"]![2]!["facts"]!;
        Assert.True(memorization["longest_copy_words"]!.GetValue<double>() >= 6, memorization.ToJsonString());  // it repeats one line
        var representation = json["sections"]![3]!;
        Assert.Equal(["female", "male"], representation["tables"]![0]!["rows"]!.AsArray().Select(r => r![0]!.GetValue<string>()));
        Assert.Contains("<h2 id=\"representation\">Representation</h2>", File.ReadAllText(folder.File("audit/audit.html")));
    }

    [Fact]
    public void A_changed_weight_file_shows_as_a_manifest_mismatch()
    {
        var (ckpt, text) = TrainNGram();
        var weights = Path.Combine(ckpt, "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 1;
        File.WriteAllBytes(weights, bytes);
        var section = ProvenanceSection.Build(ckpt);
        Assert.Contains("MISMATCH", section.Finding);
    }

    [FashionMnistFact]
    public void Image_representation_compares_classifier_predictions_with_training_labels()
    {
        using var scope = torch.NewDisposeScope();
        using var test = FashionMnist.Load("test");
        var boots = test.Images[test.Labels == 9][..20];   // twenty ankle boots: one class, ten times its share
        var section = RepresentationSection.Build(EvaluationDataSpec.Resolve("fashion-mnist"), new TensorSamples(boots),
            new AuditOptions { Data = "fashion-mnist" });
        var ratio = section.Facts.Single(f => f.Name == "max_ratio").Number!.Value;
        Assert.InRange(ratio, 8, 10);   // ~100% of samples vs 10% of the training labels (the classifier may miss one)
        Assert.Contains("'Ankle boot' is", section.Finding);
        Assert.True(section.Facts.Single(f => f.Name == "p_value").Number < 1e-6);
    }

    [Theory]
    [InlineData("--samples", "1", "--samples: must be at least 2, got 1")]
    [InlineData("--window-words", "1", "--window-words: must be at least 2, got 1")]
    [InlineData("--word-lists", "missing.json", "missing.json: no such file")]
    public void Bad_audit_options_get_one_line(string flag, string value, string message)
    {
        var (ckpt, text) = TrainNGram();
        CliAssert.OneLineError(Loom("audit", ckpt, "--data", text, "--out", "a", flag, value), flag == "--word-lists" ? 1 : 2, message);
    }

    [Fact]
    public void A_sample_file_is_refused()
    {
        var file = folder.File("samples.txt");
        File.WriteAllText(file, "a line\n");
        CliAssert.OneLineError(Loom("audit", file, "--data", file, "--out", "a"), 1, "no such checkpoint folder");
    }

    public void Dispose() => folder.Dispose();
}
