using System.Text.Json.Nodes;
using Loom.Evaluation.Distribution;
using Loom.IO;
using Loom.Tests.Support;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation;

/// <summary>
/// Distribution metrics agree with scipy / torchmetrics on tests/fixtures/metrics_reference.json within 1e-4 relative
/// (the torchmetrics values are float32); the 1e-9 absolute floor only matters for a reference of zero.
/// </summary>
public sealed class MetricsFixtureTests
{
    private const double Relative = 1e-4, Absolute = 1e-9;

    private static readonly JsonObject Reference =
        JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("metrics_reference.json")))!.AsObject();

    private static SafeTensorsContent Features() => SafeTensorsFile.Load(RepoPaths.Fixture("metrics_features.safetensors"));

    [Fact]
    public void FrechetDistanceMatchesScipy()
    {
        using var f = Features();
        var result = FrechetDistance.Compute(f.Tensors["real"], f.Tensors["fake"]);
        NumericAssert.Close(Reference["frechet_distance_scipy"]!.GetValue<double>(), result.Value, Relative, Absolute);
    }

    [Fact]
    public void FullSetKidMatchesUnbiasedPolynomialMmd()
    {
        using var f = Features();
        double ours = KernelInceptionDistance.FullSet(f.Tensors["real"], f.Tensors["fake"]);
        NumericAssert.Close(Reference["kid_full_set_unbiased_poly3"]!.GetValue<double>(), ours, Relative, Absolute);
    }

    /// <summary>
    /// torchmetrics drew its 10 subsets of 100 at random, so only statistics compare. A subset KID is an unbiased estimate
    /// of the full-set value (kid_full_set_unbiased_poly3, exact: each kernel average over random subsets drawn without
    /// replacement has the full-set average as its mean), so subset means miss it only by sampling error, whose size is
    /// set by torchmetrics' reported std of one subset KID (0.099; not Loom's number).
    /// </summary>
    [Fact]
    public void SubsetKidAgreesWithTorchmetricsStatistically()
    {
        using var f = Features();
        double full = Reference["kid_full_set_unbiased_poly3"]!.GetValue<double>();
        double referenceStd = Reference["kid_torchmetrics_subsets10_size100_seed0"]!.AsArray()[1]!.GetValue<double>();
        // torchmetrics' settings: the mean of 10 subsets within 3 standard errors, 3·0.099/√10 = 0.094 (measured, seeds 0–5:
        // within 1.5 standard errors).
        var ours = KernelInceptionDistance.Subsets(f.Tensors["real"], f.Tensors["fake"], subsets: 10, subsetSize: 100, seed: 0);
        Assert.Equal(10, ours.Subsets);
        Assert.Equal(100, ours.SubsetSize);
        NumericAssert.Close(full, ours.Mean, relative: 0, absolute: 3 * referenceStd / Math.Sqrt(10));
        // 2,000 subsets: within 4 standard errors, 4·0.099/√2000 = 0.0088 or 2.1% of the value (measured, seeds 1–3: 0.3–0.4%).
        const int many = 2000;
        var precise = KernelInceptionDistance.Subsets(f.Tensors["real"], f.Tensors["fake"], subsets: many, subsetSize: 100, seed: 1);
        NumericAssert.Close(full, precise.Mean, relative: 0, absolute: 4 * referenceStd / Math.Sqrt(many));
        // The spread of one subset KID: torchmetrics' std of 10 has 9 degrees of freedom, so with 99.9% probability the true
        // std lies within [√(9/χ²₉(0.9995)), √(9/χ²₉(0.0005))] = [0.551, 3.04] times it; 2,000 subsets pin ours to about 2%.
        Assert.InRange(precise.Std, 0.551 * referenceStd, 3.04 * referenceStd);
    }

    [Fact]
    public void ClassifierScoreMatchesTorchmetricsInceptionScore()
    {
        using var f = Features();
        var result = ClassifierScore.FromLogits(f.Tensors["is_logits"], splits: 1);
        NumericAssert.Close(Reference["inception_score_single_split"]!.GetValue<double>(), result.Mean, Relative, Absolute);
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
        NumericAssert.Close(ab, ba, relative: 1e-9, Absolute);
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
        NumericAssert.Close(reduced.Value, result.Value, relative: 1e-6, Absolute);
    }
}
