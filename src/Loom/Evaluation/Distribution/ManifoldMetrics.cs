using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>Fidelity and diversity of generated samples measured against k-NN balls around real samples.</summary>
/// <param name="Precision">Share of generated samples inside the real manifold (Kynkäänniemi et al. 2019).</param>
/// <param name="Recall">Share of real samples inside the generated manifold.</param>
/// <param name="Density">Naeem et al. 2020: average number of real k-NN balls holding each generated sample, divided by k (can exceed
/// 1).</param>
/// <param name="Coverage">Share of real k-NN balls that hold at least one generated sample.</param>
public sealed record ManifoldResult(double Precision, double Recall, double Density, double Coverage,
    int KPrecisionRecall, int KDensityCoverage);

/// <summary>
/// Improved precision/recall (k=3 by default, as in the paper) and density/coverage (k=5). A manifold is the union of
/// balls around each sample with radius its distance to its k-th nearest neighbour in the same set.
/// </summary>
public static class ManifoldMetrics
{
    public static ManifoldResult Compute(Tensor realFeatures, Tensor fakeFeatures, int kPrecisionRecall = 3, int kDensityCoverage = 5)
    {
        FeatureChecks.RequireSameDim(realFeatures, fakeFeatures, "real", "generated");
        int kMax = Math.Max(kPrecisionRecall, kDensityCoverage);
        FeatureChecks.RequireAtLeast(realFeatures, kMax + 1, "real", $"a k-NN manifold with k={kMax}");
        FeatureChecks.RequireAtLeast(fakeFeatures, kPrecisionRecall + 1, "generated", $"a k-NN manifold with k={kPrecisionRecall}");
        using var scope = torch.NewDisposeScope();
        var realRadii = NearestNeighbours.KthNeighbourDistance(realFeatures, kPrecisionRecall);
        var fakeRadii = NearestNeighbours.KthNeighbourDistance(fakeFeatures, kPrecisionRecall);
        double precision =
            NearestNeighbours.CountWithinRadii(fakeFeatures, realFeatures, realRadii).gt(0).to(ScalarType.Float64).mean().ToDouble();
        double recall =
            NearestNeighbours.CountWithinRadii(realFeatures, fakeFeatures, fakeRadii).gt(0).to(ScalarType.Float64).mean().ToDouble();

        var dcRadii =
            kDensityCoverage == kPrecisionRecall ? realRadii : NearestNeighbours.KthNeighbourDistance(realFeatures, kDensityCoverage);
        var counts = NearestNeighbours.CountWithinRadii(fakeFeatures, realFeatures, dcRadii).to(ScalarType.Float64);
        double density = counts.sum().ToDouble() / (kDensityCoverage * (double)fakeFeatures.shape[0]);
        var (nearestFake, _) = NearestNeighbours.Nearest(realFeatures, fakeFeatures);
        double coverage = nearestFake.le(dcRadii).to(ScalarType.Float64).mean().ToDouble();
        return new ManifoldResult(precision, recall, density, coverage, kPrecisionRecall, kDensityCoverage);
    }
}
