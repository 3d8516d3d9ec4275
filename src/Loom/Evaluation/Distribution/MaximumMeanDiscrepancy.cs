using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>An RBF-kernel MMD² estimate and the bandwidths of the kernels it summed.</summary>
public sealed record MmdResult(double Mmd2, IReadOnlyList<double> Bandwidths);

/// <summary>
/// Unbiased MMD² for low-dimensional data with a sum of Gaussian kernels k(x, y) = Σ_σ exp(−‖x−y‖² / (2σ²)). By
/// default the bandwidths are the median heuristic σ_med (the median pairwise Euclidean distance of the pooled samples,
/// at most 2,000 of them chosen with a fixed seed) times 1/8, 1/4, 1/2, 1 and 2: one kernel at σ_med alone is too wide to
/// see mode structure (a single Gaussian fitted to eight well-separated ones scores almost 0), the smaller scales see it.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>Multiples of the median distance used as bandwidths by default.</summary>
    public static IReadOnlyList<double> MedianScales { get; } = [0.125, 0.25, 0.5, 1, 2];

    /// <param name="unbiased">The unbiased U-statistic (default; can be negative) or the biased V-statistic, which keeps
    /// the diagonal and is always ≥ 0 — the one to use when comparing against the MMD² of two samples of the same data.</param>
    public static MmdResult Rbf(Tensor real, Tensor fake, IReadOnlyList<double>? bandwidths = null, long seed = 0, bool unbiased = true)
    {
        FeatureChecks.RequireSameDim(real, fake, "real", "generated");
        FeatureChecks.RequireAtLeast(real, 2, "real", "MMD");
        FeatureChecks.RequireAtLeast(fake, 2, "generated", "MMD");
        using var scope = torch.NewDisposeScope();
        var x = real.to(ScalarType.Float64, CPU);
        var y = fake.to(ScalarType.Float64, CPU);
        if (bandwidths is null)
        {
            double median = MedianDistance(torch.cat([x, y], 0), seed);
            if (!(median > 0))
                throw new Core.LoomDataException("MMD: all samples are identical, so the median-heuristic bandwidth is 0; pass bandwidths");
            bandwidths = MedianScales.Select(s => s * median).ToList();
        }
        if (bandwidths.Count == 0 || bandwidths.Any(b => !(b > 0)))
            throw new Core.LoomUsageException("MMD: bandwidths must be positive");
        long m = x.shape[0], n = y.shape[0];
        var dxx = torch.cdist(x, x).pow(2);
        var dyy = torch.cdist(y, y).pow(2);
        var dxy = torch.cdist(x, y).pow(2);
        double total = 0;
        foreach (var sigma in bandwidths)
        {
            double gamma = 1 / (2 * sigma * sigma);
            double xx = unbiased ? ((-gamma * dxx).exp().sum().ToDouble() - m) / (m * (m - 1.0)) : (-gamma * dxx).exp().mean().ToDouble();
            double yy = unbiased ? ((-gamma * dyy).exp().sum().ToDouble() - n) / (n * (n - 1.0)) : (-gamma * dyy).exp().mean().ToDouble();
            double xy = (-gamma * dxy).exp().sum().ToDouble() / (m * (double)n);
            total += xx + yy - 2 * xy;
        }
        return new MmdResult(total, bandwidths.ToList());
    }

    /// <summary>Median of the pairwise distances (i &lt; j) of up to 2,000 rows of <paramref name="pooled"/>.</summary>
    public static double MedianDistance(Tensor pooled, long seed = 0)
    {
        using var scope = torch.NewDisposeScope();
        var x = pooled;
        if (x.shape[0] > 2000)
        {
            using var g = Core.Seeding.Generator(seed, "mmd-median");
            x = x.index_select(0, torch.randperm(x.shape[0], generator: g)[..2000]);
        }
        var d = torch.cdist(x, x);
        var upper = d.masked_select(torch.ones_like(d, ScalarType.Bool).triu(1));
        return upper.median().ToDouble();
    }
}
