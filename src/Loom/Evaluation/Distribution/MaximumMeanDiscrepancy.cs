using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>An RBF-kernel MMD² estimate and the bandwidth it used.</summary>
public sealed record MmdResult(double Mmd2, double Bandwidth);

/// <summary>
/// Unbiased MMD² with the Gaussian kernel k(x, y) = exp(−‖x−y‖² / (2σ²)) for low-dimensional data. By default σ is the
/// median heuristic: the median pairwise Euclidean distance of the pooled samples (at most 2,000 of them, chosen with a
/// fixed seed).
/// </summary>
public static class MaximumMeanDiscrepancy
{
    public static MmdResult Rbf(Tensor real, Tensor fake, double? bandwidth = null, long seed = 0)
    {
        FeatureChecks.RequireSameDim(real, fake, "real", "generated");
        FeatureChecks.RequireAtLeast(real, 2, "real", "MMD");
        FeatureChecks.RequireAtLeast(fake, 2, "generated", "MMD");
        using var scope = torch.NewDisposeScope();
        var x = real.to(ScalarType.Float64, CPU);
        var y = fake.to(ScalarType.Float64, CPU);
        double sigma = bandwidth ?? MedianDistance(torch.cat([x, y], 0), seed);
        if (!(sigma > 0))
            throw new Core.LoomDataException("MMD: all samples are identical, so the median-heuristic bandwidth is 0; pass a bandwidth");
        double gamma = 1 / (2 * sigma * sigma);
        long m = x.shape[0], n = y.shape[0];
        var kxx = (-gamma * torch.cdist(x, x).pow(2)).exp();
        var kyy = (-gamma * torch.cdist(y, y).pow(2)).exp();
        var kxy = (-gamma * torch.cdist(x, y).pow(2)).exp();
        double xx = (kxx.sum().ToDouble() - m) / (m * (m - 1.0));
        double yy = (kyy.sum().ToDouble() - n) / (n * (n - 1.0));
        double xy = kxy.sum().ToDouble() / (m * (double)n);
        return new MmdResult(xx + yy - 2 * xy, sigma);
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
