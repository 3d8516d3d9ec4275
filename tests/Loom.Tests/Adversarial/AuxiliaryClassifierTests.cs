using Loom.Core;
using Loom.Data;
using Loom.Models;
using Loom.Models.Adversarial;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial;

/// <summary>The AC-GAN auxiliary classifier: its head, its share of both losses, its checks, and a short training run.</summary>
public class AuxiliaryClassifierTests
{
    private static GanConfig Config() => TinyGans.MlpConfig(GanLossKind.Hinge, classes: 3) with { AuxClassifier = true };

    [Fact]
    public void The_head_scores_as_before_and_adds_class_logits_from_the_same_features()
    {
        torch.manual_seed(0);
        using var model = TinyGans.Create(Config());
        using var conv = TinyGans.Create(TinyGans.ConvConfig(classes: 3, spectralNorm: true) with { AuxClassifier = true });
        using var plain = TinyGans.Create(TinyGans.MlpConfig(GanLossKind.Hinge, classes: 3));
        model.Discriminator.eval();
        conv.Discriminator.eval();
        using var scope = torch.NewDisposeScope();
        var labels = torch.tensor(new long[] { 0, 2, 1, 2, 0 });
        var x = torch.randn(5, 2);
        var (scores, logits) = model.Discriminator.ScoreAndClassify(x, labels);
        Assert.True(scores.allclose(model.Discriminator.Score(x, labels), rtol: 0, atol: 1e-6));
        Assert.Equal(new long[] { 5, 3 }, logits!.shape);
        var (convScores, convLogits) = conv.Discriminator.ScoreAndClassify(torch.randn(5, 1, 28, 28), labels);
        Assert.Equal(new long[] { 5 }, convScores.shape);
        Assert.Equal(new long[] { 5, 3 }, convLogits!.shape);
        Assert.Null(plain.Discriminator.ScoreAndClassify(x, labels).ClassLogits);
        Assert.Contains("discriminator.head.classifier.weight", model.GetState().Keys);
        Assert.DoesNotContain(plain.GetState().Keys, k => k.Contains("classifier", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_losses_add_the_weighted_cross_entropy_and_the_generator_step_leaves_the_discriminator_alone()
    {
        torch.manual_seed(1);
        using var model = TinyGans.Create(Config());
        var data = new TensorDataset(torch.randn(32, 2), torch.randint(0, 3, [32], dtype: ScalarType.Int64));
        using var scope = torch.NewDisposeScope();
        TrainingLoss Discriminator(double weight)
        {
            torch.manual_seed(5);
            return new DiscriminatorObjective(model, data, 16, 0, 3, torch.CPU, weight).Compute(0, 0);
        }
        var without = Discriminator(0);
        var with = Discriminator(0.5);
        Assert.False(without.Metrics!.ContainsKey("class_ce"));

        // The classifier's cross-entropy on step 0's real batch, by hand.
        var batch = data.Batch(new BatchSampler(32, 16, 3), 0);
        var logits = model.Discriminator.ScoreAndClassify(GanModel.ModelSpace(model.Config, batch[0]), batch[1]).ClassLogits!;
        var probabilities = logits.softmax(1);
        double expected = -Enumerable.Range(0, 16).Average(i => Math.Log(probabilities[i, batch[1][i].ToInt64()].ToDouble()));
        Assert.Equal(expected, with.Metrics!["class_ce"], 4);
        Assert.Equal(without.Loss.ToDouble() + 0.5 * expected, with.Loss.ToDouble(), 4);

        TrainingLoss Generator(double weight)
        {
            torch.manual_seed(6);
            return new GeneratorObjective(model, 16, torch.CPU, weight).Compute(0, 0);
        }
        var plainG = Generator(0);
        var weighted = Generator(2);
        Assert.Equal(plainG.Loss.ToDouble() + 2 * weighted.Metrics!["class_ce"], weighted.Loss.ToDouble(), 4);
        weighted.Loss.backward();
        Assert.All(model.Discriminator.parameters(), p => Assert.True(p.grad is null || p.grad.abs().max().ToDouble() == 0));
        Assert.Contains(model.Generator.parameters(), p => p.grad is not null && p.grad.abs().max().ToDouble() > 0);
    }

    [Fact]
    public void The_weight_needs_a_classifier_head_and_the_head_needs_classes()
    {
        using var plain = TinyGans.Create(TinyGans.MlpConfig(GanLossKind.Hinge, classes: 3));
        var data = new TensorDataset(torch.randn(8, 2), torch.randint(0, 3, [8], dtype: ScalarType.Int64));
        var options = TinyGans.Options(batchSize: 4) with { ClassifierWeight = 1 };
        Assert.Contains("ClassifierWeight",
            Assert.Throws<LoomUsageException>(() => GanTraining.CreatePhases(plain, data, options, torch.CPU)).Message);
        Assert.Contains("ClassifierWeight",
            Assert.Throws<LoomUsageException>(() => (options with { ClassifierWeight = -1 }).Validate()).Message);
        Assert.Contains("ClassifierWeight",
            Assert.Throws<LoomUsageException>(() => (TinyGans.MlpConfig() with { AuxClassifier = true }).Validate()).Message);
        var json = Config().ToJson();
        Assert.True(GanConfig.FromJson(json).AuxClassifier);
        json.Remove("aux_classifier");
        Assert.False(GanConfig.FromJson(json).AuxClassifier);
    }

    [Fact]
    public void Training_teaches_the_classifier_the_real_classes_and_the_generator_to_draw_the_requested_ones()
    {
        // Three separated clusters, one per class. After a short hinge run with λ = 1 the classifier labels the real
        // points and the generator's samples of class k lie nearest centre k.
        torch.manual_seed(2);
        var centres = torch.tensor(new float[,] { { -2, 0 }, { 2, 0 }, { 0, 2.5f } });
        var labels = torch.arange(0, 3, dtype: ScalarType.Int64).repeat(400);
        var points = centres[labels] + 0.2f * torch.randn(1200, 2);
        using var model = TinyGans.Create(Config() with { Width = 32, VectorRange = (-3, 3) });
        var options = TinyGans.Options(batchSize: 64, lr: 1e-3) with { Steps = 600, LogEvery = 50, ClassifierWeight = 1 };
        TinyGans.Train(model, new TensorDataset(points, labels), options);

        using var scope = torch.NewDisposeScope();
        model.Discriminator.eval();
        var real = GanModel.ModelSpace(model.Config, points);
        var logits = model.Discriminator.ScoreAndClassify(real, labels).ClassLogits!;
        double realAccuracy = logits.argmax(1).eq(labels).to(ScalarType.Float32).mean().ToDouble();
        Assert.True(realAccuracy > 0.95, $"classifier accuracy on the real points {realAccuracy:P1}");
        var requested = torch.arange(0, 3, dtype: ScalarType.Int64).repeat(100);
        var samples = model.Decode(model.Latents(300, 9), requested);
        var nearest = torch.cdist(samples, centres).argmin(1);
        double drawn = nearest.eq(requested).to(ScalarType.Float32).mean().ToDouble();
        Assert.True(drawn > 0.9, $"samples nearest their requested class's centre: {drawn:P1}");
    }
}
