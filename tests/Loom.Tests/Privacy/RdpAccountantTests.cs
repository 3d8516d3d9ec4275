using Loom.Core;
using Loom.Privacy;

namespace Loom.Tests.Privacy;

public class RdpAccountantTests
{
    [Fact]
    public void MatchesOpacusOnItsOwnTestCase()
    {
        // Opacus's accountant test: σ = 1.5, q = 0.04, 90 epochs (2,250 steps), δ = 1e-5 gives ε ≈ 7.32911.
        var spent = RdpAccountant.Epsilon(1.5, 0.04, 2250, 1e-5);
        Assert.InRange(spent.Epsilon, 7.32911 - 1e-4, 7.32911 + 1e-4);
        Assert.Contains(spent.BestOrder, SubsampledGaussianRdp.DefaultOrders);
    }

    [Theory]
    [InlineData(0.8, 2.5)]
    [InlineData(2.0, 7)]
    [InlineData(1.1, 40)]
    public void WithoutSubsamplingRdpIsAlphaOverTwoSigmaSquared(double sigma, double order)
    {
        Assert.Equal(order / (2 * sigma * sigma), SubsampledGaussianRdp.Step(sigma, 1, order), 12);
        long steps = 30;
        double delta = 1e-6;
        // ε by hand from the same conversion over the default orders.
        double expected = SubsampledGaussianRdp.DefaultOrders
            .Min(a => steps * a / (2 * sigma * sigma) + Math.Log((a - 1) / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1));
        Assert.Equal(expected, RdpAccountant.Epsilon(sigma, 1, steps, delta).Epsilon, 9);
    }

    [Theory]
    [InlineData(0.7, 0.01)]
    [InlineData(1.0, 0.1)]
    [InlineData(3.0, 0.5)]
    public void OrderTwoMatchesItsClosedForm(double sigma, double q)
    {
        // A_2 = Σ_i C(2,i) q^i (1−q)^(2−i) e^{(i²−i)/2σ²} = 1 + q²(e^{1/σ²} − 1).
        double expected = Math.Log(1 + q * q * (Math.Exp(1 / (sigma * sigma)) - 1));
        Assert.Equal(expected, SubsampledGaussianRdp.Step(sigma, q, 2), 12);
    }

    [Theory]
    [InlineData(1.0, 0.1, 3.5)]
    [InlineData(1.5, 0.04, 1.7)]
    [InlineData(0.9, 0.02, 6.3)]
    [InlineData(2.0, 0.3, 12)]
    public void AgreesWithNumericalIntegrationOfTheMoment(double sigma, double q, double order)
    {
        // A_α = E_{z ~ N(0, σ²)} [((1 − q) + q·e^{(2z − 1)/(2σ²)})^α], integrated with the trapezoid rule.
        double h = 1e-3 * sigma, sum = 0;
        for (double z = -40 * sigma; z <= 40 * sigma + 1; z += h)
        {
            double density = Math.Exp(-z * z / (2 * sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));
            sum += density * Math.Pow(1 - q + q * Math.Exp((2 * z - 1) / (2 * sigma * sigma)), order) * h;
        }
        double expected = Math.Log(sum) / (order - 1);
        double actual = SubsampledGaussianRdp.Step(sigma, q, order);
        Assert.True(Math.Abs(actual - expected) <= 1e-7 * Math.Max(1, expected), $"RDP {actual}, integral {expected}");
    }

    [Fact]
    public void LogErfcMatchesIntegrationAndTheAsymptoticSeries()
    {
        foreach (var x in new[] { -3.0, -0.5, 0.0, 0.7, 2.4, 2.6, 4.0 })
        {
            // erfc(x) = 2/√π ∫_x^∞ e^{−t²} dt, by the trapezoid rule over [x, x + 12].
            double h = 1e-4, sum = 0;
            for (double t = x; t < x + 12; t += h) sum += (Math.Exp(-t * t) + Math.Exp(-(t + h) * (t + h))) / 2 * h;
            double expected = Math.Log(2 / Math.Sqrt(Math.PI) * sum);
            Assert.True(Math.Abs(LogSpace.LogErfc(x) - expected) < 1e-7, $"x = {x}: {LogSpace.LogErfc(x)} vs {expected}");
        }
        foreach (var x in new[] { 30.0, 100.0 })
        {
            double series = 1 - 1 / (2 * x * x) + 3 / (4 * Math.Pow(x, 4)) - 15 / (8 * Math.Pow(x, 6)) + 105 / (16 * Math.Pow(x, 8));
            double expected = -x * x - Math.Log(x * Math.Sqrt(Math.PI)) + Math.Log(series);
            Assert.Equal(expected, LogSpace.LogErfc(x), 9);
        }
    }

    [Fact]
    public void EpsilonGrowsWithStepsAndSampleRateAndFallsWithNoise()
    {
        double At(double sigma, double q, long steps) => RdpAccountant.Epsilon(sigma, q, steps, 1e-5).Epsilon;
        long[] steps = [1, 10, 100, 1000, 10000];
        Assert.True(steps.Zip(steps.Skip(1)).All(p => At(1.1, 0.01, p.First) < At(1.1, 0.01, p.Second)));
        double[] rates = [0.001, 0.01, 0.05, 0.2, 1];
        Assert.True(rates.Zip(rates.Skip(1)).All(p => At(1.1, p.First, 100) < At(1.1, p.Second, 100)));
        double[] noises = [0.5, 0.8, 1.2, 2, 5];
        Assert.True(noises.Zip(noises.Skip(1)).All(p => At(p.First, 0.02, 500) > At(p.Second, 0.02, 500)));
        Assert.True(RdpAccountant.Epsilon(1.1, 0.01, 100, 1e-7).Epsilon > RdpAccountant.Epsilon(1.1, 0.01, 100, 1e-3).Epsilon);
    }

    [Fact]
    public void AccountantComposesStepsAdditively()
    {
        var accountant = new RdpAccountant();
        Assert.Equal(0, accountant.Spent(1e-5).Epsilon);
        for (int i = 0; i < 40; i++) accountant.Record(1.3, 0.02);
        accountant.Record(0.9, 0.05, 10);
        Assert.Equal(50, accountant.Steps);
        Assert.Equal(2, accountant.History.Count);
        var expected = SubsampledGaussianRdp.Compose(1.3, 0.02, 40, accountant.Orders)
            .Zip(SubsampledGaussianRdp.Compose(0.9, 0.05, 10, accountant.Orders), (a, b) => a + b).ToArray();
        Assert.Equal(expected, accountant.Rdp());
    }

    [Theory]
    [InlineData(1.0, 1e-5, 0.01, 3000)]
    [InlineData(8.0, 1e-5, 256.0 / 60000, 15 * 60000 / 256)]
    [InlineData(0.5, 1e-6, 0.1, 50)]
    public void NoiseSearchHitsTheTargetFromBelow(double target, double delta, double q, long steps)
    {
        var found = NoiseCalibration.ForTarget(target, delta, q, steps);
        Assert.True(found.Spent.Epsilon <= target, $"ε {found.Spent.Epsilon} over the target {target}");
        double lessNoise = RdpAccountant.Epsilon(found.NoiseMultiplier * (1 - 1e-3), q, steps, delta).Epsilon;
        Assert.True(lessNoise > target, $"0.1% less noise still gives ε {lessNoise} ≤ {target}");
        Assert.Equal(RdpAccountant.Epsilon(found.NoiseMultiplier, q, steps, delta).Epsilon, found.Spent.Epsilon, 12);
    }

    [Theory]
    [InlineData(0.0, 0.1, 10, 1e-5, "NoiseMultiplier")]
    [InlineData(-1.0, 0.1, 10, 1e-5, "NoiseMultiplier")]
    [InlineData(1.0, 0.0, 10, 1e-5, "SampleRate")]
    [InlineData(1.0, 1.5, 10, 1e-5, "SampleRate")]
    [InlineData(1.0, 0.1, 0, 1e-5, "Steps")]
    [InlineData(1.0, 0.1, 10, 0.0, "Delta")]
    [InlineData(1.0, 0.1, 10, 1.0, "Delta")]
    public void BadInputsNameTheOption(double sigma, double q, long steps, double delta, string option)
    {
        var error = Assert.Throws<LoomUsageException>(() => RdpAccountant.Epsilon(sigma, q, steps, delta));
        Assert.Equal(option, error.Option);
    }

    [Fact]
    public void AnUnreachableOrNonPositiveTargetIsRefused()
    {
        Assert.Equal("TargetEpsilon", Assert.Throws<LoomUsageException>(() => NoiseCalibration.ForTarget(0, 1e-5, 0.1, 10)).Option);
        Assert.Equal("TargetEpsilon",
            Assert.Throws<LoomUsageException>(() => NoiseCalibration.ForTarget(1e-9, 1e-5, 1, 100_000)).Option);
    }
}
