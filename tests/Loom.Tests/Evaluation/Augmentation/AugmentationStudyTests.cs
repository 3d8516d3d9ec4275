using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Augmentation;
using Loom.Models.Latent;
using Loom.Tests.Data;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Evaluation.Augmentation;

/// <summary>
/// The augmentation study end to end on a few hundred Fashion-MNIST images with a CVAE trained for a few steps in the test:
/// one row per ratio, one accuracy per seed, all in 0..1, the same real subset for every ratio of a seed; generators that
/// cannot label Fashion-MNIST images are refused; the report's table and verdict follow the numbers.
/// </summary>
public class AugmentationStudyTests
{
    private static TrainingOutcome TinyVae(string folder, bool conditional) =>
        VaeTrainingRun.Train(new VaeRecipe
        {
            Data = "fashion-mnist", Conditional = conditional, Hidden = 16, LatentDim = 2, BatchSize = 16, Steps = 3,
            EvalK = 0, EvalN = 20, CheckpointEvery = 0, Seed = 3,
        }, new TrainingContext { OutputFolder = folder });

    [FashionMnistFact]
    public void A_tiny_study_has_one_row_per_ratio_and_one_accuracy_per_seed()
    {
        using var tmp = new TempFolder();
        using var outcome = TinyVae(tmp.File("cvae"), conditional: true);
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var options = new AugmentationStudyOptions
        {
            Generator = "tiny cvae", PerClass = 4, Ratios = [0, 0.5, 2], Seeds = 2, Seed = 7, Epochs = 2, BatchSize = 8, TestSize = 60,
        };
        var updates = new List<AugmentationProgress>();
        var result = AugmentationStudy.Run(outcome.Model, train, test, options, new SynchronousProgressOf(updates.Add));

        Assert.Equal([7L, 8L], result.Seeds);
        Assert.Equal(40, result.RealImages);
        Assert.Equal(60, result.TestImages);
        Assert.Equal(2 * (40 / 8), result.Steps);
        Assert.Equal([0.0, 0.5, 2.0], result.Rows.Select(r => r.Ratio));
        Assert.Equal([0, 20, 80], result.Rows.Select(r => r.SyntheticImages));
        foreach (var row in result.Rows)
        {
            Assert.Equal(2, row.Accuracies.Count);
            Assert.All(row.Accuracies, a => Assert.InRange(a, 0, 1));
            Assert.InRange(row.StandardDeviation, 0, 1);
        }
        Assert.InRange(result.SyntheticClassAccuracy!.Value, 0, 1);
        Assert.Equal(2, result.Differences.Count);
        Assert.Equal(6, updates.Last().Done);
        Assert.Equal(6, updates.Last().Total);
        Assert.Contains("| 2 | 80 |", AugmentationReport.ToMarkdown(result));
    }

    [FashionMnistFact]
    public void The_real_subset_is_class_balanced_and_set_by_the_seed()
    {
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var a = AugmentationStudy.BalancedSubset(train, 3, seed: 5);
        using var b = AugmentationStudy.BalancedSubset(train, 3, seed: 5);
        using var c = AugmentationStudy.BalancedSubset(train, 3, seed: 6);
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(k => Enumerable.Repeat((long)k, 3)), a.Labels.data<long>().ToArray());
        Assert.True(a.Images.eq(b.Images).all().item<bool>());
        Assert.False(a.Images.eq(c.Images).all().item<bool>());
    }

    [FashionMnistFact]
    public void A_generator_that_is_not_class_conditional_is_refused()
    {
        using var tmp = new TempFolder();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var options = new AugmentationStudyOptions
        {
            Generator = "g", PerClass = 2, Ratios = [0, 1], Seeds = 1, Epochs = 1, BatchSize = 4, TestSize = 10,
        };
        using var plain = TinyVae(tmp.File("vae"), conditional: false);
        var error = Assert.Throws<LoomUsageException>(() => AugmentationStudy.Run(plain.Model, test, test, options));
        Assert.Equal("Generator", error.Option);
        Assert.Contains("not class-conditional", error.Message);
    }

    [Fact]
    public void The_report_pairs_each_ratio_with_the_baseline_by_seed_and_says_so()
    {
        var result = Result(new AugmentationRow(0, 0, [0.70, 0.72, 0.74]), new AugmentationRow(1, 10, [0.75, 0.76, 0.80]),
            new AugmentationRow(2, 20, [0.69, 0.73, 0.73]));
        var gains = result.Differences.Single(d => d.Ratio == 1);
        double[] diffs = [0.05, 0.04, 0.06];
        Assert.Equal(diffs.Average(), gains.Mean, 12);
        Assert.Equal(Math.Sqrt(diffs.Sum(d => (d - diffs.Average()) * (d - diffs.Average())) / 2), gains.StandardDeviation, 12);
        Assert.True(gains.BeyondNoise);
        Assert.StartsWith("Synthetic data helped: +5.00 points at ratio 1", AugmentationReport.Verdict(result));
        var markdown = AugmentationReport.ToMarkdown(result);
        var tableRows = markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1);
        Assert.Equal(3, tableRows.Count());
        Assert.Contains("| 0 | 0 | 72.00% ± 2.00 | 70.00% / 72.00% / 74.00% | baseline |", markdown);

        var worse = Result(new AugmentationRow(0, 0, [0.70, 0.72]), new AugmentationRow(1, 10, [0.69, 0.70]));
        Assert.StartsWith("Synthetic data did not help", AugmentationReport.Verdict(worse));
        var noisy = Result(new AugmentationRow(0, 0, [0.70, 0.72]), new AugmentationRow(1, 10, [0.74, 0.71]));
        Assert.StartsWith("No clear help", AugmentationReport.Verdict(noisy));
        Assert.StartsWith("No verdict", AugmentationReport.Verdict(Result(new AugmentationRow(1, 10, [0.7, 0.8]))));

        var json = AugmentationReport.ToJson(result);
        Assert.Equal(3, json["rows"]!.AsArray().Count);
        Assert.Equal(0.80, json["rows"]![1]!["accuracies"]![2]!.GetValue<double>());
        Assert.True(json["differences"]![0]!["beyond_noise"]!.GetValue<bool>());
        using var tmp = new TempFolder();
        AugmentationReport.Save(result, tmp.File("r.json"));
        Assert.Equal(json.ToJsonString(), JsonNode.Parse(File.ReadAllText(tmp.File("r.json")))!.ToJsonString());
    }

    private static AugmentationResult Result(params AugmentationRow[] rows) => new()
    {
        Generator = "g", GeneratorKind = "cvae", PerClass = 1, RealImages = 10, TestImages = 100,
        Seeds = Enumerable.Range(0, rows[0].Accuracies.Count).Select(i => (long)i).ToList(), Steps = 10, Epochs = 1, BatchSize = 5,
        LearningRate = 1e-3, Temperature = 1, Rows = rows,
    };

    private sealed class SynchronousProgressOf(Action<AugmentationProgress> report) : IProgress<AugmentationProgress>
    {
        public void Report(AugmentationProgress value) => report(value);
    }
}
