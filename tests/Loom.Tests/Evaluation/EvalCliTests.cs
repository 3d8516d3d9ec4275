using System.Text.Json.Nodes;
using Loom.Data;
using Loom.IO;
using Loom.Tests.Data;
using Loom.Tests.Support;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation;

/// <summary><c>loom eval</c> through the real binary: vectors, images (sample files), text, several sources side by side, bad
/// input.</summary>
public sealed class EvalCliTests : IDisposable
{
    // One feature cache for the whole test run, so the 70,000 real Fashion-MNIST images go through the network once.
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "loom-test-feature-cache");
    private readonly TempFolder work = new();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work.Path, args);

    private JsonObject Metrics(string outDir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(work.Path, outDir, "metrics.json")))!.AsObject();

    private static double Metric(JsonObject metrics, int source, string name)
    {
        var node = metrics["results"]![source]!["metrics"]![name]!;
        return node is JsonObject o ? o["mean"]!.GetValue<double>() : node.GetValue<double>();
    }

    [Fact]
    public void MixtureOnAToySetGetsDistributionLikelihoodAndMembershipMetrics()
    {
        Assert.Equal(0, Loom("train", "gmm", "--data", "eight-gaussians", "--components", "8", "--points", "2000", "--out",
            "good", "--seed", "1").ExitCode);
        Assert.Equal(0, Loom("train", "gmm", "--data", "eight-gaussians", "--components", "1", "--points", "2000", "--out",
            "poor", "--seed", "1").ExitCode);
        var r = Loom("eval", "good", "--against", "poor", "--data", "eight-gaussians", "--samples", "800", "--out", "report");
        Assert.True(r.ExitCode == 0, r.ToString());
        var m = Metrics("report");
        Assert.Equal(2, m["results"]!.AsArray().Count);
        // Eight components fit eight Gaussians far better than one: every metric says so.
        Assert.True(Metric(m, 0, "mmd2_rbf") * 10 < Metric(m, 1, "mmd2_rbf"), r.Stdout);
        Assert.True(Metric(m, 0, "hist2d_total_variation") < Metric(m, 1, "hist2d_total_variation"), r.Stdout);
        Assert.True(Metric(m, 0, "nn_distance_ratio") < Metric(m, 1, "nn_distance_ratio"), r.Stdout);
        Assert.True(Metric(m, 0, "precision") > 0.8 && Metric(m, 1, "precision") < 0.6, r.Stdout);
        Assert.True(Metric(m, 0, "nll_per_sample") < Metric(m, 1, "nll_per_sample"), r.Stdout);
        Assert.InRange(Metric(m, 0, "mia_auroc"), 0.4, 0.6); // 8 components on 2000 points barely overfit
        Assert.InRange(Metric(m, 0, "nn_distance_ratio"), 0.5, 2.0);
        var html = File.ReadAllText(Path.Combine(work.Path, "report", "report.html"));
        Assert.Contains("good (gmm)", html);
        Assert.Contains("poor (gmm)", html);
        Assert.Contains("data:image/png;base64", html);
    }

    [FashionMnistFact]
    public void ImageSamplesAreScoredInTheReferenceNetworkFeatureSpace()
    {
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        SafeTensorsFile.Save(work.File("copies.safetensors"), new Dictionary<string, Tensor> { ["samples"] = train.Images[..400] });
        using (var g = global::Loom.Core.Seeding.Generator(2))
        using (var noise = rand([400, 1, 28, 28], generator: g))
            SafeTensorsFile.Save(work.File("noise.safetensors"), new Dictionary<string, Tensor> { ["samples"] = noise });
        var r = CliRunner.Run(work.Path, TimeSpan.FromMinutes(10), "eval", "copies.safetensors", "--against",
            "noise.safetensors", "--data", "fashion-mnist",
            "--samples", "400", "--kid-subsets", "20", "--kid-subset-size", "200", "--cache", Cache, "--out", "img");
        Assert.True(r.ExitCode == 0, r.ToString());
        var m = Metrics("img");
        Assert.StartsWith("loom-fmnist-cnn-v1@sha256:", m["results"]![0]!["feature_space"]!.GetValue<string>());
        Assert.True(Metric(m, 0, "fid_fmnist") * 20 < Metric(m, 1, "fid_fmnist"), r.Stdout);
        Assert.True(Metric(m, 0, "is_fmnist") > 5 && Metric(m, 1, "is_fmnist") < 2, r.Stdout);
        Assert.True(Metric(m, 0, "coverage") > 0.8 && Metric(m, 1, "coverage") < 0.1, r.Stdout);
        // Training images are their own nearest training neighbours: the memorization check flags them.
        Assert.Equal(0, Metric(m, 0, "nn_train_distance_median"), 4);
        Assert.Equal(1, Metric(m, 0, "closer_than_heldout_p1"), 6);
        Assert.True(Metric(m, 0, "mifid_fmnist") > 1000 * Metric(m, 0, "fid_fmnist"));
        Assert.True(File.Exists(Path.Combine(work.Path, "img", "copies.safetensors-neighbours.png")));
        Assert.True(File.Exists(Path.Combine(work.Path, "img", "noise.safetensors-samples.png")));
    }

    [Fact]
    public void TextModelGetsDiversityCopiesAndLikelihood()
    {
        var text = string.Join("\n", File.ReadAllText(RepoPaths.BundledData("tinyshakespeare.txt")).Split('\n').Take(3000));
        File.WriteAllText(work.File("corpus.txt"), text);
        Assert.Equal(0, Loom("train", "ngram", "--data", "corpus.txt", "--order", "12", "--out", "lm").ExitCode);
        var r = Loom("eval", "lm", "--data", "corpus.txt", "--text-samples", "20", "--out", "txt");
        Assert.True(r.ExitCode == 0, r.ToString());
        var m = Metrics("txt");
        // Diverse samples: measured with eval --seed 0–5, distinct_1 0.54–0.59 and self-BLEU 8.5–13.9. One sample repeated
        // 20 times would score 100 self-BLEU (see DiversityOfKnownSampleFilesIsExact).
        Assert.True(Metric(m, 0, "distinct_1") > 0.4, r.Stdout);
        Assert.True(Metric(m, 0, "self_bleu") < 30, r.Stdout);
        Assert.True(Metric(m, 0, "bits_per_char") > 0, r.Stdout);
        // An order-12 character model of a small corpus reproduces long word runs of its training text.
        Assert.True(Metric(m, 0, "longest_copy_words") >= 8, r.Stdout);
        Assert.True(Metric(m, 0, "copied_8gram_samples") > 0, r.Stdout);
        Assert.Contains("training data", m["results"]![0]!["notes"]!.ToJsonString());
        Assert.Contains("longest verbatim copy", File.ReadAllText(Path.Combine(work.Path, "txt", "report.html")));
    }

    [Fact]
    public void DiversityOfKnownSampleFilesIsExact()
    {
        const string line = "the quick brown fox jumps over the lazy dog";
        File.WriteAllLines(work.File("same.txt"), Enumerable.Repeat(line, 20));
        File.WriteAllLines(work.File("apart.txt"), Enumerable.Range(0, 20).Select(i => string.Join(' ', "abcde".Select(c => $"w{i}{c}"))));
        File.WriteAllText(work.File("corpus.txt"), line + "\n");
        var r = Loom("eval", "same.txt", "--against", "apart.txt", "--data", "corpus.txt", "--out", "known");
        Assert.True(r.ExitCode == 0, r.ToString());
        var m = Metrics("known");
        // 20 copies of a 9-word line with 8 distinct words and 8 distinct bigrams; each copy is its own reference.
        NumericAssert.Close(8.0 / (20 * 9), Metric(m, 0, "distinct_1"), relative: 1e-12, absolute: 0);
        NumericAssert.Close(8.0 / (20 * 8), Metric(m, 0, "distinct_2"), relative: 1e-12, absolute: 0);
        NumericAssert.Close(100, Metric(m, 0, "self_bleu"), relative: 1e-9, absolute: 0);
        // 20 lines of 5 words that occur nowhere else.
        Assert.Equal(1, Metric(m, 1, "distinct_1"));
        Assert.Equal(1, Metric(m, 1, "distinct_3"));
        Assert.True(Metric(m, 1, "self_bleu") < Metric(m, 0, "self_bleu"), r.Stdout);
    }

    [Fact]
    public void BadInputGetsOneClearLine()
    {
        File.WriteAllText(work.File("empty.txt"), "\n\n");
        File.WriteAllText(work.File("corpus.txt"), "some words here and more words there to copy from");
        // eval reports "drawing samples" before it reads a source, so one progress line precedes an error about the samples.
        var empty = Loom("eval", "empty.txt", "--data", "corpus.txt", "--out", "o");
        CliAssert.OneLineErrorAfterProgress(empty, 1, "empty", progressTitle: "eval");
        CliAssert.OneLineError(Loom("eval", "missing", "--data", "moons", "--out", "o"), 1,
            "missing: no such checkpoint folder or sample file");
        CliAssert.OneLineError(Loom("eval", "corpus.txt", "--data", "nowhere.csv", "--out", "o"), 1, "nowhere.csv: no such file");
        Assert.False(File.Exists(Path.Combine(work.Path, "o", "metrics.json")));
    }

    [FashionMnistFact]
    public void ImagesOfTheWrongSizeGetOneClearLine()
    {
        using (var big = rand(10, 1, 32, 32))
            SafeTensorsFile.Save(work.File("big.safetensors"), new Dictionary<string, Tensor> { ["samples"] = big });
        var refused = Loom("eval", "big.safetensors", "--data", "fashion-mnist", "--cache", Cache, "--out", "o"); // progress, then error
        CliAssert.OneLineErrorAfterProgress(refused, 1, "1×32×32", progressTitle: "eval");
        Assert.False(File.Exists(Path.Combine(work.Path, "o", "metrics.json")));
    }

    public void Dispose() => work.Dispose();
}
