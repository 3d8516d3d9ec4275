using Loom.Models.Latent;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Latent;

/// <summary>The VAE's bounds against closed forms, naive formulas and numerical integration.</summary>
public class VaeBoundTests
{
    private static VariationalAutoencoder Vectors(int dims, int latent,
        VaeLikelihood likelihood = VaeLikelihood.Gaussian, int classes = 0) =>
        new(new VaeConfig
        {
            Network = "mlp", Likelihood = likelihood, LatentDim = latent, Hidden = 16, Layers = 1, SampleShape = [dims],
            Images = likelihood == VaeLikelihood.Bernoulli,
            ClassNames = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(),
        });

    [Fact]
    public void Kl_term_matches_the_closed_form_per_dimension_and_a_monte_carlo_estimate()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(1);
        var mean = torch.tensor(new double[,] { { 0.0, 0.0 }, { 1.5, -0.5 }, { 0.3, 2.0 } });
        var logVar = torch.tensor(new double[,] { { 0.0, 0.0 }, { -1.0, 0.7 }, { 0.2, -2.0 } });
        var kl = VariationalAutoencoder.GaussianKl(mean, logVar);
        for (int i = 0; i < 3; i++)
        {
            double naive = 0;
            for (int j = 0; j < 2; j++)
            {
                double m = mean[i, j].ToDouble(), lv = logVar[i, j].ToDouble();
                naive += 0.5 * (m * m + Math.Exp(lv) - 1 - lv);
            }
            Assert.Equal(naive, kl[i].ToDouble(), 12);
        }
        Assert.Equal(0.0, kl[0].ToDouble(), 12);
        // E_q[log q(z) − log p(z)] with 400k samples.
        var std = (0.5 * logVar).exp();
        var eps = torch.randn([400000, 3, 2], dtype: ScalarType.Float64);
        var z = mean + std * eps;
        var logQ = (-0.5 * eps.square() - 0.5 * logVar).sum(2);
        var logP = (-0.5 * z.square()).sum(2);
        var monteCarlo = (logQ - logP).mean([0]);
        for (int i = 0; i < 3; i++)
            Assert.InRange(monteCarlo[i].ToDouble() - kl[i].ToDouble(), -0.02, 0.02);
    }

    [Fact]
    public void Log_likelihoods_match_naive_bernoulli_and_gaussian_formulas()
    {
        using var scope = torch.NewDisposeScope();
        using var bernoulli = Vectors(3, 2, VaeLikelihood.Bernoulli);
        var x = torch.tensor(new float[,] { { 1, 0, 1 }, { 0, 0, 1 } });
        var logits = torch.tensor(new float[,] { { 2.0f, -1.0f, 0.5f }, { -3.0f, 0.2f, 4.0f } });
        var ll = bernoulli.LogLikelihood(x, logits);
        for (int i = 0; i < 2; i++)
        {
            double naive = 0;
            for (int j = 0; j < 3; j++)
            {
                double p = 1 / (1 + Math.Exp(-logits[i, j].ToDouble()));
                naive += x[i, j].ToDouble() > 0.5 ? Math.Log(p) : Math.Log(1 - p);
            }
            Assert.Equal(naive, ll[i].ToDouble(), 4);
        }
        using var gaussian = Vectors(3, 2);
        var values = torch.tensor(new float[,] { { 0.5f, -1, 2 } });
        var means = torch.tensor(new float[,] { { 0, 0, 1 } });
        double expected = Enumerable.Range(0, 3).Sum(j =>
        {
            double d = values[0, j].ToDouble() - means[0, j].ToDouble();
            return -0.5 * d * d - 0.5 * Math.Log(2 * Math.PI);   // scale starts at e⁰ = 1
        });
        Assert.Equal(expected, gaussian.LogLikelihood(values, means)[0].ToDouble(), 4);
    }

    [Fact]
    public void Elbo_is_likelihood_minus_kl_and_importance_sampling_tightens_it()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(3);
        using var vae = Vectors(4, 2);
        var x = torch.randn(64, 4);
        using var noGrad = torch.no_grad();
        var terms = vae.Elbo(x, null);
        Assert.True((terms.Elbo - (terms.LogLikelihood - terms.Kl)).abs().max().ToDouble() < 1e-5);
        double Mean(Func<Tensor> f) => Enumerable.Range(0, 20).Average(_ => f().mean().ToDouble());
        double elbo =
            Mean(() => vae.Elbo(x, null).Elbo), k5 = Mean(() => vae.IwaeBound(x, null, 5)), k50 = Mean(() => vae.IwaeBound(x, null, 50));
        double nll = vae.ImportanceNll(x, null, 2000, chunk: 300).mean().ToDouble();
        Assert.True(elbo < k5 && k5 < k50 && k50 <= -nll + 0.05, $"ELBO {elbo:F3}, IWAE-5 {k5:F3}, IWAE-50 {k50:F3}, −NLL {-nll:F3}");
    }

    [Fact]
    public void Importance_sampled_nll_converges_to_the_marginal_likelihood_by_quadrature()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(5);
        using var vae = Vectors(2, 1);
        var x = torch.tensor(new float[,] { { 0.3f, -0.2f }, { 1.0f, 0.5f } });
        using var noGrad = torch.no_grad();
        // log p(x) = log ∫ p(x|z) N(z; 0, 1) dz by the trapezoid rule on [−10, 10].
        int points = 20001;
        var z = torch.linspace(-10, 10, points).unsqueeze(1);
        double dz = 20.0 / (points - 1);
        var logPrior = (-0.5 * z.square() - 0.5 * Math.Log(2 * Math.PI)).squeeze(1).to(ScalarType.Float64);
        var estimate = vae.ImportanceNll(x, null, 5000, chunk: 1000);
        for (int i = 0; i < 2; i++)
        {
            var xi = x[i].unsqueeze(0).expand(points, 2);
            var logJoint = vae.LogLikelihood(xi, vae.DecodeRaw(z, null)).to(ScalarType.Float64) + logPrior;
            double exact = -(torch.logsumexp(logJoint, 0).ToDouble() + Math.Log(dz));
            Assert.InRange(estimate[i].ToDouble() - exact, -0.02, 0.02);
        }
    }

    [Fact]
    public void Conditional_decoder_uses_the_class_and_insists_on_one()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(7);
        using var cvae = Vectors(3, 2, classes: 4);
        var z = torch.randn(5, 2);
        var a = cvae.DecodeMean(z, torch.full(5, 0L));
        var b = cvae.DecodeMean(z, torch.full(5, 3L));
        Assert.Equal(new long[] { 5, 3 }, a.shape);
        Assert.True((a - b).abs().max().ToDouble() > 1e-4);
        Assert.Throws<Loom.Core.LoomUsageException>(() => cvae.DecodeMean(z, null));
    }
}
