using Loom.Models.Boltzmann;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Boltzmann;

/// <summary>
/// The RBM's free energy and log Z against the energy summed over every state, and annealed importance sampling against
/// exact enumeration (Salakhutdinov &amp; Murray 2008's estimator on RBMs small enough to enumerate).
/// </summary>
public sealed class RbmPartitionTests
{
    [Theory]
    [InlineData(RbmVisible.Bernoulli)]
    [InlineData(RbmVisible.Gaussian)]
    public void Free_energy_matches_the_energy_summed_over_hidden_states(RbmVisible type)
    {
        var p = RbmNaive.Random(5, 4, type, 0.8, 1);
        using var g = new torch.Generator(2);
        var v = type == RbmVisible.Bernoulli
            ? torch.bernoulli(torch.full([6, 5], 0.5, ScalarType.Float64), generator: g)
            : torch.randn([6, 5], dtype: ScalarType.Float64, generator: g);
        var free = p.FreeEnergy(v).data<double>().ToArray();
        for (int r = 0; r < 6; r++)
        {
            var row = v[r].data<double>().ToArray();
            NumericAssert.Close(RbmNaive.FreeEnergy(p, row), free[r], relative: 1e-10, absolute: 1e-10);
        }
    }

    [Theory]
    [InlineData(6, 5)]   // enumerates the hidden layer
    [InlineData(4, 7)]   // enumerates the visible layer
    public void Exact_log_z_matches_the_sum_over_both_layers(int visible, int hidden)
    {
        var p = RbmNaive.Random(visible, hidden, RbmVisible.Bernoulli, 1.0, 3);
        NumericAssert.Close(RbmNaive.LogZ(p), RbmPartition.ExactLogZ(p), relative: 1e-10, absolute: 1e-10);
    }

    [Fact]
    public void Exact_log_z_of_gaussian_units_matches_numerical_integration()
    {
        var p = RbmNaive.Random(1, 3, RbmVisible.Gaussian, 1.0, 5);
        // Z = Σ_h ∫ exp(−E(v, h)) dv on a fine grid (the integrand is a Gaussian in v for each h).
        double b = p.VisibleBias.ToDouble();
        var w = p.Weight.reshape(-1).data<double>().ToArray();
        var c = p.HiddenBias.data<double>().ToArray();
        const double step = 1e-3;
        double z = 0;
        foreach (var h in RbmNaive.States(3))
        {
            double wh = Enumerable.Range(0, 3).Sum(j => w[j] * h[j]);
            double ch = Enumerable.Range(0, 3).Sum(j => c[j] * h[j]);
            for (int i = 0; i <= 40000; i++)
            {
                double x = -20 + i * step;
                z += Math.Exp(-0.5 * (x - b) * (x - b) + ch + x * wh) * step;
            }
        }
        NumericAssert.Close(Math.Log(z), RbmPartition.ExactLogZ(p), relative: 1e-8, absolute: 1e-8);
    }

    [Fact]
    public void An_rbm_with_no_small_layer_is_refused()
    {
        var p = RbmNaive.Random(30, 25, RbmVisible.Bernoulli, 0.1, 1);
        var error = Assert.Throws<Loom.Core.LoomUsageException>(() => RbmPartition.ExactLogZ(p));
        Assert.Contains("annealed importance sampling", error.Message);
    }

    [Theory]
    [InlineData(RbmVisible.Bernoulli, 40, 12, 0.3)]
    [InlineData(RbmVisible.Bernoulli, 64, 16, 0.15)]
    [InlineData(RbmVisible.Gaussian, 10, 8, 0.3)]
    public void Ais_log_z_is_within_a_tenth_of_a_nat_of_exact_enumeration(RbmVisible type, int visible, int hidden, double scale)
    {
        var p = RbmNaive.Random(visible, hidden, type, scale, 7);
        // A base rate from the model's own visible marginals at W = 0, as a data set would give.
        var baseBias = type == RbmVisible.Bernoulli ? p.VisibleBias.clone() : torch.zeros(visible, ScalarType.Float64);
        var estimate = AnnealedImportanceSampling.LogZ(p, baseBias, new AisOptions { Chains = 100, Betas = 2000, Seed = 11 });
        double exact = RbmPartition.ExactLogZ(p);
        Assert.True(Math.Abs(estimate.LogZ - exact) < 0.1, $"AIS {estimate.LogZ} ± {estimate.StandardError} vs exact {exact}");
        Assert.True(estimate.StandardError is > 0 and < 0.1, $"standard error {estimate.StandardError}");
        Assert.Equal("ais", estimate.Method);
    }

    [Fact]
    public void Log_mean_exp_and_its_standard_error_follow_the_delta_method()
    {
        var logW = torch.tensor(new[] { 1.0, 2.0, 3.0, 4.0 }, ScalarType.Float64);
        var (logMean, se) = AnnealedImportanceSampling.LogMeanExp(logW);
        var w = new[] { Math.E, Math.Exp(2), Math.Exp(3), Math.Exp(4) };
        double mean = w.Average();
        double sd = Math.Sqrt(w.Sum(x => (x - mean) * (x - mean)) / 3);
        NumericAssert.Close(Math.Log(mean), logMean, relative: 1e-12, absolute: 1e-12);
        NumericAssert.Close(sd / (2 * mean), se, relative: 1e-12, absolute: 1e-12);
    }
}
