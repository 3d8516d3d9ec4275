using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Anomaly;
using Loom.IO.Checkpoints;
using Loom.Models.Energy;
using Loom.Models.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation.Anomaly;

/// <summary><see cref="AnomalyScoring"/>: a VAE's scores of a data set, its CSV and the AUROC of the classes it never saw.</summary>
public sealed class AnomalyScoringTests
{
    private static VaeModel PointVae(IReadOnlyList<int> trainClasses, IReadOnlyList<string>? classNames = null)
    {
        torch.random.manual_seed(3);
        return new VaeModel(new VariationalAutoencoder(new VaeConfig
        {
            Network = "mlp", Likelihood = VaeLikelihood.Gaussian, LatentDim = 2, Hidden = 16, Layers = 1, SampleShape = [2],
            Images = false, TrainClasses = trainClasses, ClassNames = classNames ?? [],
        }));
    }

    /// <summary>Class 0 near the origin, class 1 far from it (and from anything an untrained decoder returns), interleaved.</summary>
    private static TrainingData NearAndFar(int perClass)
    {
        var near = torch.randn(perClass, 2, generator: torch.manual_seed(5)) * 0.1;
        var far = torch.randn(perClass, 2, generator: torch.manual_seed(6)) * 0.1 + 40;
        var examples = torch.stack([near, far], 1).reshape(2 * perClass, 2).to(ScalarType.Float32);
        var labels = torch.arange(2 * perClass, dtype: ScalarType.Int64).remainder(2);
        return new TrainingData(examples, labels, [2], Images: false, ["near", "far"], "near-and-far",
            new DataProvenance("test", null, null));
    }

    [Fact]
    public void Scores_equal_the_vaes_own_scores_and_a_far_class_is_found()
    {
        using var model = PointVae(trainClasses: [0]);
        using var data = NearAndFar(20);
        var options = new AnomalyScoringOptions { Score = AnomalyScoreKind.Reconstruction, Count = 30, Seed = 2 };
        var report = AnomalyScoring.Score(model, data, options);

        Assert.Equal(30, report.Scores.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)(i % 2)), report.Labels);
        using var reference = VaeAnomalyScores.Score(model, data.Examples.narrow(0, 0, 30), null, AnomalyScoreKind.Reconstruction, 2);
        Assert.Equal(reference.data<double>().ToArray(), report.Scores);
        var far = Assert.Single(report.HeldOutClasses);
        Assert.Equal("far", far.Name);
        Assert.Equal(1.0, far.Auroc);
        Assert.Equal((15, 15), (far.Anomalies, far.Normals));
        Assert.False(report.TrainedOnEveryClass);

        var csv = report.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("index,label,score", csv[0]);
        Assert.Equal(31, csv.Length);
        var row = csv[4].Split(',');
        Assert.Equal(("3", "1"), (row[0], row[1]));
        Assert.Equal(report.Scores[3], double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_model_trained_on_every_class_reports_no_held_out_class()
    {
        using var model = PointVae(trainClasses: []);
        using var data = NearAndFar(5);
        var report = AnomalyScoring.Score(model, data, new AnomalyScoringOptions());
        Assert.Equal(10, report.Scores.Count);
        Assert.True(report.TrainedOnEveryClass);
        Assert.Empty(report.HeldOutClasses);
        Assert.Equal(AnomalyScoreKind.Elbo, report.Kind);
    }

    [Fact]
    public void Bad_models_data_and_options_are_usage_errors()
    {
        using var data = NearAndFar(4);
        using var vae = PointVae([0]);
        Assert.Equal("K", Assert.Throws<LoomUsageException>(() =>
            AnomalyScoring.Score(vae, data, new AnomalyScoringOptions { K = 0 })).Option);
        Assert.Equal("Count", Assert.Throws<LoomUsageException>(() =>
            AnomalyScoring.Score(vae, data, new AnomalyScoringOptions { Count = 0 })).Option);
        using var conditional = PointVae([], ["near", "far"]);
        Assert.Contains("conditional", Assert.Throws<LoomUsageException>(() =>
            AnomalyScoring.Score(conditional, data, new AnomalyScoringOptions())).Message);
        using var energy = new EnergyModel(new EnergyConfig { Hidden = 16, Layers = 2 });
        Assert.Contains("'ebm'", Assert.Throws<LoomUsageException>(() =>
            AnomalyScoring.Score(energy, data, new AnomalyScoringOptions())).Message);
        using var images = new TrainingData(torch.rand(3, 1, 28, 28), null, [1, 28, 28], Images: true, [], "noise",
            new DataProvenance("test", null, null));
        Assert.Equal("Data", Assert.Throws<LoomUsageException>(() =>
            AnomalyScoring.Score(vae, images, new AnomalyScoringOptions())).Option);
    }

    [Fact]
    public void Options_clone_is_a_separate_copy()
    {
        var options = new AnomalyScoringOptions { K = 7, Count = 3 };
        var copy = options.Clone();
        Assert.NotSame(options, copy);
        Assert.Equal((7, 3L), (copy.K, copy.Count!.Value));
    }
}
