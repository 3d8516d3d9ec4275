using System.Text.Json.Nodes;
using Loom.Evaluation.Distribution;
using Loom.IO;
using Loom.Tests.Support;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation;

/// <summary>Distribution metrics agree with scipy / torchmetrics on tests/fixtures/metrics_reference.json within 1e-4 relative.</summary>
public sealed class MetricsFixtureTests
{
    private static readonly JsonObject Reference = JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("metrics_reference.json")))!.AsObject();

    private static SafeTensorsContent Features() => SafeTensorsFile.Load(RepoPaths.Fixture("metrics_features.safetensors"));

    private static void AssertRelative(double expected, double actual, double tolerance = 1e-4) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void FrechetDistanceMatchesScipy()
    {
        using var f = Features();
        var result = FrechetDistance.Compute(f.Tensors["real"], f.Tensors["fake"]);
        AssertRelative(Reference["frechet_distance_scipy"]!.GetValue<double>(), result.Value);
    }

    [Fact]
    public void FullSetKidMatchesUnbiasedPolynomialMmd()
    {
        using var f = Features();
        AssertRelative(Reference["kid_full_set_unbiased_poly3"]!.GetValue<double>(), KernelInceptionDistance.FullSet(f.Tensors["real"], f.Tensors["fake"]));
    }

    [Fact]
    public void SubsetKidAgreesWithTorchmetricsStatistically()
    {
        using var f = Features();
        var reference = Reference["kid_torchmetrics_subsets10_size100_seed0"]!.AsArray();
        double refMean = reference[0]!.GetValue<double>(), refStd = reference[1]!.GetValue<double>();
        var ours = KernelInceptionDistance.Subsets(f.Tensors["real"], f.Tensors["fake"], subsets: 10, subsetSize: 100, seed: 0);
        Assert.Equal(10, ours.Subsets);
        Assert.Equal(100, ours.SubsetSize);
        // Different random subsets: the means agree within the spread of one subset, the spreads within a factor of 2.
        Assert.InRange(ours.Mean, refMean - refStd, refMean + refStd);
        Assert.InRange(ours.Std, refStd / 2, refStd * 2);
        // Many subsets converge to the full-set estimate.
        var many = KernelInceptionDistance.Subsets(f.Tensors["real"], f.Tensors["fake"], subsets: 400, subsetSize: 100, seed: 1);
        AssertRelative(Reference["kid_full_set_unbiased_poly3"]!.GetValue<double>(), many.Mean, 0.05);
    }

    [Fact]
    public void ClassifierScoreMatchesTorchmetricsInceptionScore()
    {
        using var f = Features();
        var result = ClassifierScore.FromLogits(f.Tensors["is_logits"], splits: 1);
        AssertRelative(Reference["inception_score_single_split"]!.GetValue<double>(), result.Mean);
        Assert.Equal(0, result.Std);
    }

    [Fact]
    public void FrechetOfASetWithItselfIsZeroAndSymmetric()
    {
        using var f = Features();
        var self = FrechetDistance.Compute(f.Tensors["real"], f.Tensors["real"]);
        Assert.InRange(self.Value, -1e-9, 1e-9);
        var ab = FrechetDistance.Compute(f.Tensors["real"], f.Tensors["fake"]).Value;
        var ba = FrechetDistance.Compute(f.Tensors["fake"], f.Tensors["real"]).Value;
        AssertRelative(ab, ba, 1e-9);
    }

    [Fact]
    public void FrechetHandlesSingularCovariance()
    {
        // The third feature is constant: both covariances are singular, the distance stays finite and exact.
        using var scope = NewDisposeScope();
        using var g = Loom.Core.Seeding.Generator(3);
        var a = cat([randn([200, 2], generator: g, dtype: ScalarType.Float64), zeros([200, 1], ScalarType.Float64)], 1);
        var b = cat([randn([200, 2], generator: g, dtype: ScalarType.Float64) + 1, zeros([200, 1], ScalarType.Float64)], 1);
        var result = FrechetDistance.Compute(a, b);
        var reduced = FrechetDistance.Compute(a[.., ..2], b[.., ..2]);
        Assert.True(double.IsFinite(result.Value));
        AssertRelative(reduced.Value, result.Value, 1e-6);
    }
}
