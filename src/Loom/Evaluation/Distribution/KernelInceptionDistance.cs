using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>KID over random subsets: the mean and (unbiased) standard deviation of the per-subset estimates.</summary>
public sealed record KidResult(double Mean, double Std, int Subsets, int SubsetSize);

/// <summary>
/// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of MMD² with the polynomial kernel
/// k(x, y) = (xᵀy / d + 1)³, on the full sets or averaged over random subsets as torchmetrics does (each subset draws
/// <c>subsetSize</c> samples without replacement from each set).
/// </summary>
public static class KernelInceptionDistance
{
    /// <summary>Unbiased MMD² between all of <paramref name="real"/> and all of <paramref name="fake"/>.</summary>
    public static double FullSet(Tensor real, Tensor fake)
    {
        FeatureChecks.RequireSameDim(real, fake, "real", "generated");
        FeatureChecks.RequireAtLeast(real, 2, "real", "KID");
        FeatureChecks.RequireAtLeast(fake, 2, "generated", "KID");
        using var scope = torch.NewDisposeScope();
        return UnbiasedMmd2(real.to(ScalarType.Float64, CPU), fake.to(ScalarType.Float64, CPU));
    }

    /// <summary>KID averaged over <paramref name="subsets"/> random subsets of <paramref name="subsetSize"/> (capped at the smaller set's
    /// size).</summary>
    public static KidResult Subsets(Tensor real, Tensor fake, int subsets = 100, int subsetSize = 1000, long seed = 0)
    {
        FeatureChecks.RequireSameDim(real, fake, "real", "generated");
        if (subsets < 1) throw LoomUsageException.ForOption("KidSubsets", $"must be at least 1, got {subsets}");
        int size = (int)Math.Min(subsetSize, Math.Min(real.shape[0], fake.shape[0]));
        if (size < 2)
            throw new LoomDataException(
                $"KID needs at least 2 samples in each set, got {real.shape[0]} real and {fake.shape[0]} generated");
        using var scope = torch.NewDisposeScope();
        var r = real.to(ScalarType.Float64, CPU);
        var f = fake.to(ScalarType.Float64, CPU);
        using var g = Seeding.Generator(seed, "kid");
        var values = new double[subsets];
        for (int i = 0; i < subsets; i++)
        {
            using var inner = torch.NewDisposeScope();
            var ri = r.index_select(0, torch.randperm(r.shape[0], generator: g)[..size]);
            var fi = f.index_select(0, torch.randperm(f.shape[0], generator: g)[..size]);
            values[i] = UnbiasedMmd2(ri, fi);
        }
        double mean = values.Average();
        double std = subsets > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (subsets - 1)) : 0;
        return new KidResult(mean, std, subsets, size);
    }

    private static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        long m = x.shape[0], n = y.shape[0], d = x.shape[1];
        var kxx = (x.matmul(x.t()) / d + 1).pow(3);
        var kyy = (y.matmul(y.t()) / d + 1).pow(3);
        var kxy = (x.matmul(y.t()) / d + 1).pow(3);
        double xx = (kxx.sum().ToDouble() - kxx.trace().ToDouble()) / (m * (m - 1.0));
        double yy = (kyy.sum().ToDouble() - kyy.trace().ToDouble()) / (n * (n - 1.0));
        double xy = kxy.sum().ToDouble() / (m * (double)n);
        return xx + yy - 2 * xy;
    }
}
