using Loom.Models.Tabular.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// TabDDPM's forward processes and multinomial posterior against naive references: the Gaussian q(xₜ | x₀) by its sample
/// moments, the multinomial q(xₜ | x₀) by repeated products of the one-step transition matrices, and q(xₜ₋₁ | xₜ, x₀) by
/// Bayes' rule over those matrices.
/// </summary>
public sealed class TabDdpmProcessTests
{
    private static readonly TabDdpmProcess Process = new(1, [new CategoricalBlock(0, 1, 4, false)], 50);

    /// <summary>The one-step matrix Q[i, j] = q(xₜ = j | xₜ₋₁ = i) = αₜ [i = j] + (1 − αₜ)/K.</summary>
    private static double[,] Transition(int t, int k)
    {
        double alpha = 1 - Process.Schedule.Betas[t];
        var q = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                q[i, j] = (i == j ? alpha : 0) + (1 - alpha) / k;
        return q;
    }

    /// <summary>The distribution of xₜ given class c at x₀ by multiplying the one-step matrices from step 0 to t.</summary>
    private static double[] Naive(int c, int t, int k)
    {
        var p = new double[k];
        p[c] = 1;
        for (int s = 0; s <= t; s++)
        {
            var q = Transition(s, k);
            var next = new double[k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    next[j] += p[i] * q[i, j];
            p = next;
        }
        return p;
    }

    private static Tensor OneHot(int index, int k) => nn.functional.one_hot(torch.tensor(new long[] { index }), k).to(ScalarType.Float64);

    private static Tensor Scalar(double value) => torch.full([1, 1], value, ScalarType.Float64);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(49)]
    public void GaussianForwardHasTheClosedFormMoments(int t)
    {
        double alphaBar = Process.AlphaBar(t), x0 = 1.7;
        var noise = torch.randn([200_000, 1], ScalarType.Float64, generator: new Generator(5));
        var xt = TabDdpmProcess.ForwardNumbers(torch.full([200_000, 1], x0, ScalarType.Float64), Scalar(alphaBar), noise);
        Assert.Equal(Math.Sqrt(alphaBar) * x0, xt.mean().item<double>(), 2);
        Assert.Equal(1 - alphaBar, xt.var().item<double>(), 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(25)]
    [InlineData(49)]
    public void MultinomialForwardEqualsRepeatedTransitions(int t)
    {
        const int k = 4;
        for (int c = 0; c < k; c++)
        {
            var closed = MultinomialDiffusion.Forward(OneHot(c, k), Scalar(Process.AlphaBar(t))).data<double>().ToArray();
            var naive = Naive(c, t, k);
            for (int j = 0; j < k; j++) Assert.Equal(naive[j], closed[j], 12);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(49)]
    public void MultinomialPosteriorIsBayesRule(int t)
    {
        const int k = 4;
        double alpha = 1 - Process.Schedule.Betas[t];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < k; i++)
            {
                var posterior = MultinomialDiffusion.Posterior(OneHot(i, k), OneHot(c, k), Scalar(alpha), Scalar(Process.AlphaBar(t - 1)))
                    .data<double>().ToArray();
                // q(xₜ₋₁ = j | xₜ = i, x₀ = c) ∝ q(xₜ = i | xₜ₋₁ = j) q(xₜ₋₁ = j | x₀ = c); at t = 0, xₜ₋₁ is x₀.
                var prior = t == 0 ? Enumerable.Range(0, k).Select(j => j == c ? 1.0 : 0.0).ToArray() : Naive(c, t - 1, k);
                var q = Transition(t, k);
                var joint = Enumerable.Range(0, k).Select(j => q[j, i] * prior[j]).ToArray();
                for (int j = 0; j < k; j++) Assert.Equal(joint[j] / joint.Sum(), posterior[j], 12);
            }
    }

    [Fact]
    public void KlIsZeroOnlyForEqualDistributions()
    {
        var q = torch.tensor(new[] { 0.2, 0.8, 0.0 }, ScalarType.Float64).unsqueeze(0);
        var p = torch.tensor(new[] { 0.5, 0.25, 0.25 }, ScalarType.Float64).unsqueeze(0);
        Assert.Equal(0, MultinomialDiffusion.Kl(q, q).item<double>(), 12);
        double naive = 0.2 * Math.Log(0.2 / 0.5) + 0.8 * Math.Log(0.8 / 0.25);
        Assert.Equal(naive, MultinomialDiffusion.Kl(q, p).item<double>(), 12);
    }

    [Fact]
    public void DrawsFollowTheProbabilities()
    {
        var probabilities = torch.tensor(new[] { 0.1, 0.6, 0.3 }, ScalarType.Float64).unsqueeze(0).expand(40_000, 3).contiguous();
        var frequencies = MultinomialDiffusion.Draw(probabilities, new Generator(3)).mean([0]).data<double>().ToArray();
        Assert.Equal(0.1, frequencies[0], 2);
        Assert.Equal(0.6, frequencies[1], 2);
        Assert.Equal(0.3, frequencies[2], 2);
    }
}
