using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Flows;

/// <summary>The exact toy densities are densities (integrate to 1 on a grid) and match the generators' samples.</summary>
public class ToyDensityTests
{
    [Theory]
    [InlineData("8gaussians", null)]
    [InlineData("checkerboard", null)]
    [InlineData("checkerboard", 0.3)]
    public void IntegratesToOne(string name, double? noise)
    {
        const double half = 8, step = 0.02;
        var axis = torch.arange(-half + step / 2, half, step, dtype: ScalarType.Float64);
        var grid = torch.stack(torch.meshgrid([axis, axis], indexing: "ij").Select(t => t.reshape(-1)).ToArray(), 1);
        var mass = ToyDensity.LogProb(name, grid, noise).exp().sum().item<double>() * step * step;
        Assert.InRange(mass, 0.995, 1.005);
    }

    [Fact]
    public void CheckerboardSamplesAllLieWhereTheDensityIsPositive()
    {
        var points = ToyData.Generate("checkerboard", 5000, 3);
        var logp = ToyDensity.LogProb("checkerboard", points);
        Assert.True(logp.eq(-Math.Log(32)).all().item<bool>());
    }

    [Fact]
    public void EightGaussiansMeanLogDensityMatchesTheGaussianEntropy()
    {
        // Far-apart components: the mean log-density of samples ≈ −(log 8 + log 2πσ² + 1).
        double sigma = 0.5 / Math.Sqrt(2);
        var points = ToyData.Generate("8gaussians", 20000, 4);
        var mean = ToyDensity.LogProb("8gaussians", points).mean().item<double>();
        Assert.InRange(mean, -(Math.Log(8) + Math.Log(2 * Math.PI * sigma * sigma) + 1) - 0.03,
            -(Math.Log(8) + Math.Log(2 * Math.PI * sigma * sigma) + 1) + 0.03);
    }

    [Fact]
    public void RefusesASetWithoutAnExactDensity()
    {
        var e = Assert.Throws<Loom.Core.LoomUsageException>(() => ToyDensity.LogProb("moons", torch.zeros(2, 2)));
        Assert.Contains("no exact density", e.Message);
    }
}
