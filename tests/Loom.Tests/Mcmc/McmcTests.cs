using Loom.Core;
using Loom.Models.Mcmc;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Mcmc;

public class McmcTests
{
    /// <summary>
    /// The mean of dimension <paramref name="dim"/> is within 5 standard errors of <paramref name="truth"/>, the standard
    /// error estimated in the test from the spread of the per-chain means (the chains share only the adapted step size, so
    /// their means are independent estimates; |t| with 15 degrees of freedom exceeds 5 with probability 2e-4). The
    /// sampler's own ESS is not used. The standard error must also be small, so a sampler whose chains wander apart
    /// cannot pass on a wide interval: measured 0.005–0.04 for these runs (seeds 1–3), at most 0.03·√variance; the bar is
    /// 0.1·√variance.
    /// </summary>
    private static void AssertMean(McmcResult r, int dim, double truth, double trueVariance)
    {
        using var scope = NewDisposeScope();
        var chainMeans = r.Draws[.., .., dim].mean([0]).data<double>().ToArray();
        double grand = chainMeans.Average();
        double standardError = Math.Sqrt(chainMeans.Sum(m => (m - grand) * (m - grand)) / (chainMeans.Length - 1) / chainMeans.Length);
        NumericAssert.Close(grand, r.Mean[dim], relative: 1e-12, absolute: 1e-12); // the reported mean is the mean of the draws
        Assert.True(standardError < 0.1 * Math.Sqrt(trueVariance),
            $"dim {dim}: chain means spread too far, standard error {standardError:F4}");
        Assert.True(Math.Abs(grand - truth) < 5 * standardError,
            $"dim {dim}: mean {grand:F4}, truth {truth}, 5 SE = {5 * standardError:F4} from {chainMeans.Length} chain means");
    }

    [Theory]
    [InlineData(McmcSampler.RandomWalk)]
    [InlineData(McmcSampler.Mala)]
    [InlineData(McmcSampler.Hmc)]
    public void CorrelatedGaussianMomentsAreRecovered(McmcSampler sampler)
    {
        using var r = McmcRunner.Run(McmcTargets.CorrelatedGaussian(),
            new McmcOptions { Sampler = sampler, Chains = 16, Samples = 1500, BurnIn = 500, StepSize = 0.5, LeapfrogSteps = 8, Seed = 1 });
        AssertMean(r, 0, 1, 1);
        AssertMean(r, 1, -1, 2);
        Assert.InRange(r.Variance[0], 0.85, 1.15);
        Assert.InRange(r.Variance[1], 1.7, 2.3);
        var flat = r.Draws.reshape(-1, 2);
        var c = flat - flat.mean([0]);
        double corr = (c[.., 0] * c[.., 1]).mean().item<double>() / Math.Sqrt(r.Variance[0] * r.Variance[1]);
        Assert.InRange(corr, 0.75, 0.85);
        Assert.InRange(r.Acceptance.Average(), sampler == McmcSampler.RandomWalk ? 0.15 : 0.4, 1.0);
    }

    [Fact]
    public void HmcSamplesTheBanana()
    {
        using var r = McmcRunner.Run(McmcTargets.Banana(),
            new McmcOptions { Sampler = McmcSampler.Hmc, Chains = 16, Samples = 1500, BurnIn = 500, StepSize = 0.2, Seed = 2 });
        AssertMean(r, 0, 0, 4);
        AssertMean(r, 1, 1, 3); // E[x2] = 0.25·E[x1²] = 1; Var[x2] = 1 + 0.0625·Var[x1²] = 1 + 0.0625·32 = 3
    }

    [Fact]
    public void AcceptanceRatesBehaveAsTheoryPredicts()
    {
        var target = McmcTargets.CorrelatedGaussian();
        McmcResult Fixed(McmcSampler s, double step) => McmcRunner.Run(target,
            new McmcOptions { Sampler = s, Chains = 8, Samples = 300, BurnIn = 0, StepSize = step, Adapt = false, Seed = 3 });
        using (var tiny = Fixed(McmcSampler.RandomWalk, 1e-3)) Assert.True(tiny.Acceptance.Average() > 0.99);
        using (var huge = Fixed(McmcSampler.RandomWalk, 100)) Assert.True(huge.Acceptance.Average() < 0.05);
        using (var hmc = Fixed(McmcSampler.Hmc, 0.05)) Assert.True(hmc.Acceptance.Average() > 0.95);
        using var adapted = McmcRunner.Run(target,
            new McmcOptions { Sampler = McmcSampler.RandomWalk, Chains = 16, Samples = 1000, BurnIn = 1000, StepSize = 10, Seed = 4 });
        Assert.InRange(adapted.Acceptance.Average(), 0.15, 0.35);
    }

    [Fact]
    public void GibbsMatchesExactIsingCorrelations()
    {
        const int side = 3;
        const double j = 0.4;
        // exact E[s0·s1] and E[s0] by enumerating all 2^9 spin configurations
        double z = 0, corr = 0, edgeCount = 0;
        for (int config = 0; config < 1 << (side * side); config++)
        {
            int Spin(int i) => ((config >> i) & 1) * 2 - 1;
            double energy = 0;
            for (int i = 0; i < side * side; i++)
            {
                if (i % side < side - 1) energy += Spin(i) * Spin(i + 1);
                if (i / side < side - 1) energy += Spin(i) * Spin(i + side);
            }
            double w = Math.Exp(j * energy);
            z += w;
            corr += w * Spin(0) * Spin(1);
            edgeCount += w * Spin(4) * Spin(5);
        }
        using var r = McmcRunner.Run(McmcTargets.Ising(side, j),
            new McmcOptions { Sampler = McmcSampler.Gibbs, Chains = 64, Samples = 400, BurnIn = 50, Seed = 5 });
        var spins = r.Draws * 2 - 1; // [n, chains, 9]
        double Estimate(int a, int b) => (spins[.., .., a] * spins[.., .., b]).mean().item<double>();
        Assert.Equal(corr / z, Estimate(0, 1), 1.5e-2);
        Assert.Equal(edgeCount / z, Estimate(4, 5), 1.5e-2);
        Assert.Equal(0.0, spins.mean().item<double>(), 3e-2);
    }

    [Fact]
    public void SeededRunsRepeatAndDoNotLeakTensors()
    {
        var target = McmcTargets.Banana();
        var o = new McmcOptions { Sampler = McmcSampler.Mala, Chains = 4, Samples = 20, BurnIn = 10, Seed = 6 };
        using (var a = McmcRunner.Run(target, o))
        using (var b = McmcRunner.Run(target, o))
            Assert.True(a.Draws.equal(b.Draws).all().item<bool>());
        long before = TensorCounts.Live;
        McmcRunner.Run(target, o with { Samples = 50 }).Dispose();
        long afterShort = TensorCounts.Live;
        McmcRunner.Run(target, o with { Samples = 200 }).Dispose();
        Assert.Equal(before, afterShort);
        Assert.Equal(before, TensorCounts.Live);
    }

    [Fact]
    public void BadOptionsAreClearErrors()
    {
        Assert.Contains("use gibbs", Assert.Throws<LoomUsageException>(() => McmcRunner.Run(McmcTargets.Ising(2, 0.1), new McmcOptions
        {
            Sampler = McmcSampler.Hmc
        })).Message);
        Assert.Contains("discrete target", Assert.Throws<LoomUsageException>(() => McmcRunner.Run(McmcTargets.Banana(), new McmcOptions
        {
            Sampler = McmcSampler.Gibbs
        })).Message);
        Assert.Contains("Chains",
            Assert.Throws<LoomUsageException>(() => McmcRunner.Run(McmcTargets.Banana(), new McmcOptions { Chains = 0 })).Message);
        Assert.Contains("Target", Assert.Throws<LoomUsageException>(() => McmcTargets.Get("donut")).Message);
        Assert.Contains("Sampler", Assert.Throws<LoomUsageException>(() => McmcOptions.ParseSampler("nuts")).Message);
    }
}
