using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>A Fréchet distance and what the matrix square root had to clamp.</summary>
/// <param name="Value">‖μ₁−μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^½.</param>
/// <param name="ClampedEigenvalues">Eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (or of Σ₁) that were slightly negative from rounding and set to 0.</param>
/// <param name="MostNegativeEigenvalue">The most negative of those (0 when none); large magnitudes mean an ill-conditioned
/// covariance.</param>
public sealed record FrechetResult(double Value, int ClampedEigenvalues, double MostNegativeEigenvalue);

/// <summary>
/// Fréchet distance between the Gaussian fits of two feature sets (the FID formula), in float64. The trace of the
/// matrix square root uses eigendecompositions of symmetric matrices: tr (Σ₁Σ₂)^½ = Σ √λᵢ(Σ₁^½ Σ₂ Σ₁^½), which has the
/// same value as scipy's <c>sqrtm(Σ₁Σ₂)</c> but stays real and stable when a covariance is singular.
/// </summary>
public static class FrechetDistance
{
    public static FrechetResult Compute(Tensor realFeatures, Tensor fakeFeatures)
    {
        FeatureChecks.RequireSameDim(realFeatures, fakeFeatures, "real", "generated");
        using var real = FeatureStatistics.Of(realFeatures, "real");
        using var fake = FeatureStatistics.Of(fakeFeatures, "generated");
        return Compute(real, fake);
    }

    public static FrechetResult Compute(FeatureStatistics a, FeatureStatistics b)
    {
        if (a.Dim != b.Dim)
            throw new Core.LoomDataException($"feature statistics of dimension {a.Dim} and {b.Dim} cannot be compared");
        using var scope = torch.NewDisposeScope();
        var diff = a.Mean - b.Mean;
        double meanTerm = diff.dot(diff).ToDouble();
        var (sqrtA, clampedA, minA) = SymmetricSqrt(a.Covariance);
        var inner = sqrtA.matmul(b.Covariance).matmul(sqrtA);
        inner = (inner + inner.t()) / 2;
        var eig = torch.linalg.eigvalsh(inner);
        var (clampedInner, minInner) = CountNegative(eig);
        double traceSqrt = eig.clamp_min(0).sqrt().sum().ToDouble();
        double value = meanTerm + a.Covariance.trace().ToDouble() + b.Covariance.trace().ToDouble() - 2 * traceSqrt;
        return new FrechetResult(value, clampedA + clampedInner, Math.Min(minA, minInner));
    }

    /// <summary>Σ^½ of a symmetric positive semi-definite matrix by eigendecomposition, negative eigenvalues clamped.</summary>
    private static (Tensor Root, int Clamped, double MostNegative) SymmetricSqrt(Tensor sym)
    {
        var (values, vectors) = torch.linalg.eigh(sym);
        var (clamped, mostNegative) = CountNegative(values);
        var root = vectors.matmul(torch.diag(values.clamp_min(0).sqrt())).matmul(vectors.t());
        return (root, clamped, mostNegative);
    }

    private static (int Count, double MostNegative) CountNegative(Tensor eigenvalues)
    {
        var negative = eigenvalues.lt(0);
        int count = (int)negative.sum().ToInt64();
        return (count, count == 0 ? 0 : eigenvalues.min().ToDouble());
    }
}
