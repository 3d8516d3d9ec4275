using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>Mean and covariance (float64, unbiased, <c>np.cov</c>'s ddof=1) of a feature set [n, d].</summary>
public sealed class FeatureStatistics : IDisposable
{
    private FeatureStatistics(Tensor mean, Tensor covariance, long count)
    {
        Mean = mean;
        Covariance = covariance;
        Count = count;
    }

    public Tensor Mean { get; }
    public Tensor Covariance { get; }
    public long Count { get; }
    public long Dim => Mean.shape[0];

    /// <summary>Fits the Gaussian of <paramref name="features"/>; needs more samples than dimensions, so the covariance can have full
    /// rank.</summary>
    public static FeatureStatistics Of(Tensor features, string name = "samples")
    {
        FeatureChecks.RequireMatrix(features, name);
        long n = features.shape[0], d = features.shape[1];
        if (n <= d)
            throw new LoomDataException($"{name}: {n} samples for {d}-dimensional features; a Fréchet distance needs more samples than "
                + $"feature dimensions (use at least {d + 1}, ideally 10×)");
        using var scope = torch.NewDisposeScope();
        var x = features.to(ScalarType.Float64, CPU);
        var mean = x.mean([0L]);
        var centered = x - mean;
        var cov = centered.t().matmul(centered) / (n - 1);
        return new FeatureStatistics(mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope(), n);
    }

    /// <summary>Rebuilds statistics from saved tensors (the feature cache).</summary>
    public static FeatureStatistics FromTensors(Tensor mean, Tensor covariance, long count) =>
        new(mean.to(ScalarType.Float64, CPU).detach().clone(), covariance.to(ScalarType.Float64, CPU).detach().clone(), count);

    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}

/// <summary>Input checks shared by the distribution metrics; each failure is one line naming the set and the cause.</summary>
public static class FeatureChecks
{
    public static void RequireMatrix(Tensor features, string name)
    {
        if (features.dim() != 2)
            throw new LoomDataException($"{name}: features must be a matrix [n, d], got [{string.Join(", ", features.shape)}]");
        if (features.shape[0] == 0)
            throw new LoomDataException($"{name}: the sample set is empty");
        if (features.shape[1] == 0)
            throw new LoomDataException($"{name}: features have zero dimensions");
        using var finite = features.isfinite().all();
        if (!finite.ToBoolean())
            throw new LoomDataException($"{name}: features contain NaN or infinity");
    }

    public static void RequireSameDim(Tensor a, Tensor b, string aName, string bName)
    {
        RequireMatrix(a, aName);
        RequireMatrix(b, bName);
        if (a.shape[1] != b.shape[1])
            throw new LoomDataException(
                $"{aName} has {a.shape[1]}-dimensional features but {bName} has {b.shape[1]}; both must come from the same extractor");
    }

    public static void RequireAtLeast(Tensor x, long count, string name, string why)
    {
        if (x.shape[0] < count)
            throw new LoomDataException($"{name}: {x.shape[0]} samples; {why} needs at least {count}");
    }
}
