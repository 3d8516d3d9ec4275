using Loom.Data;
using Loom.Evaluation.Reference;
using Loom.IO;
using Loom.Tests.Data;
using Loom.Tests.Support;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation;

/// <summary>The committed Fashion-MNIST reference network: its hash, its test accuracy (≥ 92%) and flat tensor counts.</summary>
public sealed class ReferenceClassifierTests
{
    [Fact]
    public void BundledWeightsMatchTheCommittedFileAndHash()
    {
        var committed = Path.Combine(RepoPaths.Root, "assets", "reference", "fmnist-classifier", "model.safetensors");
        Assert.Equal(ReferenceClassifier.BundledSha256, FileHash.Sha256(committed));
        using var net = ReferenceClassifier.LoadBundled();
        Assert.Equal($"loom-fmnist-cnn-v1@sha256:{ReferenceClassifier.BundledSha256[..12]}", net.Identity);
        Assert.Equal(128, net.FeatureDim);
    }

    [FashionMnistFact]
    public void ReachesAtLeast92PercentOnTheTestSet()
    {
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var net = ReferenceClassifier.LoadBundled();
        double accuracy = net.Accuracy(test.Images, test.Labels);
        Assert.True(accuracy >= 0.92, $"test accuracy {accuracy:P2}");
    }

    [FashionMnistFact]
    public void FeaturesAreDeterministicAndTensorCountsStayFlat()
    {
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var net = ReferenceClassifier.LoadBundled();
        using var batch = test.Images[..600];
        using (var warm = net.Extract(batch)) { }
        long before = TensorCounts.Live;
        using (var a = net.Extract(batch))
        using (var b = net.Extract(batch))
        {
            Assert.Equal(new long[] { 600, 128 }, a.shape);
            Assert.True(a.allclose(b, rtol: 0, atol: 0));
            using var logits = net.LogitsFromFeatures(a);
            using var direct = net.Logits(batch);
            Assert.True(logits.allclose(direct, rtol: 1e-5, atol: 1e-5));
        }
        Assert.Equal(before, TensorCounts.Live);
    }

    [FashionMnistFact]
    public void TrainingAShortRunLearnsAndSavesALoadableNetwork()
    {
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var (classifier, result) =
            FashionMnistClassifierTraining.Train(train, new ClassifierTrainingOptions { Epochs = 1, TrainLimit = 2560, Seed = 1 });
        using var folder = new TempFolder();
        using (classifier)
        {
            Assert.Equal(20, result.Steps);
            double accuracy = classifier.Accuracy(test.Images[..2000], test.Labels[..2000]);
            Assert.True(accuracy > 0.5, $"accuracy {accuracy:P1} after 20 steps");
            classifier.Save(folder.Path, new Loom.IO.Checkpoints.ModelCard());
            using var loaded = ReferenceClassifier.Load(folder.Path);
            using var a = classifier.Extract(test.Images[..50]);
            using var b = loaded.Extract(test.Images[..50]);
            Assert.True(a.allclose(b, rtol: 0, atol: 0));
            Assert.Equal(classifier.Sha256, loaded.Sha256);
        }
    }
}
