using Loom.Core;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Memorization;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation;

/// <summary>Bad inputs to the metrics: each is one LoomDataException naming the cause.</summary>
public sealed class MetricInputTests
{
    [Fact]
    public void EmptySampleSetIsNamed()
    {
        using var real = randn(100, 4);
        using var empty = zeros(0, 4);
        var e = Assert.Throws<LoomDataException>(() => FrechetDistance.Compute(real, empty));
        Assert.Contains("generated: the sample set is empty", e.Message);
        Assert.Contains("empty", Assert.Throws<LoomDataException>(() => KernelInceptionDistance.FullSet(empty, real)).Message);
        Assert.Contains("empty", Assert.Throws<LoomDataException>(() => ManifoldMetrics.Compute(real, empty)).Message);
        Assert.Contains("non-members", Assert.Throws<LoomDataException>(() => MembershipInference.LossThreshold([1.0], [])).Message);
    }

    [Fact]
    public void FewerSamplesThanFeatureDimsIsNamed()
    {
        using var real = randn(100, 16);
        using var few = randn(10, 16);
        var e = Assert.Throws<LoomDataException>(() => FrechetDistance.Compute(real, few));
        Assert.Contains("10 samples for 16-dimensional features", e.Message);
    }

    [Fact]
    public void MismatchedDimensionsAreNamed()
    {
        using var a = randn(100, 4);
        using var b = randn(100, 5);
        var e = Assert.Throws<LoomDataException>(() => KernelInceptionDistance.FullSet(a, b));
        Assert.Contains("4-dimensional features but generated has 5", e.Message);
    }

    [Fact]
    public void MismatchedImageSizesAreNamed()
    {
        using var images = rand(4, 1, 32, 32);
        var e = Assert.Throws<LoomDataException>(() => Loom.Evaluation.ImageChecks.RequireFashionMnistShape(images));
        Assert.Contains("1×32×32", e.Message);
        using var other = rand(4, 1, 28, 28);
        Assert.Contains("must match", Assert.Throws<LoomDataException>(() =>
            Loom.Evaluation.ImageChecks.RequireSameItemShape(images, other, "generated", "real")).Message);
    }

    [Fact]
    public void NonFiniteFeaturesAreNamed()
    {
        using var a = randn(50, 2);
        using var b = randn(50, 2);
        b[3, 1] = tensor(double.NaN);
        Assert.Contains("NaN", Assert.Throws<LoomDataException>(() => MaximumMeanDiscrepancy.Rbf(a, b)).Message);
    }

    [Fact]
    public void TooFewSamplesForKnnIsNamed()
    {
        using var a = randn(4, 2);
        using var b = randn(50, 2);
        Assert.Contains("k-NN manifold", Assert.Throws<LoomDataException>(() => ManifoldMetrics.Compute(a, b)).Message);
    }
}
