using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// Annealed importance sampling of an RBM's log Z (Salakhutdinov &amp; Murray 2008). The base model A has the target's
/// hidden units but no weights and the data's visible marginals (<see cref="RbmBaseRate"/>), so
/// log Z_A = Σᵢ softplus(b_Aᵢ) + H log 2 (binary) or (V/2) log 2π + H log 2 (Gaussian). Intermediate distributions
/// p_k(v) ∝ exp((1 − β_k)·[a_A(v) + H log 2] + β_k·a_B(v) + Σⱼ softplus(β_k(cⱼ + vᵀW₋ⱼ))), a the visible term, with β
/// linear from 0 to 1 (the base's hidden units add H log 2 at every β, which the ratios cancel); each transition is one
/// Gibbs sweep that leaves p_k invariant. Every chain's log weight sums
/// log p_k(v_k) − log p_{k−1}(v_k); log Z_B = log Z_A + log-mean-exp of the weights. Float64 throughout.
/// </summary>
public static class AnnealedImportanceSampling
{
    /// <summary>Estimates log Z of <paramref name="rbm"/>, with base-rate visible biases <paramref name="baseBias"/> [V].</summary>
    public static LogPartition LogZ(RbmParameters rbm, Tensor baseBias, AisOptions options, CancellationToken cancellation = default)
    {
        options.Validate();
        // Thousands of small steps: a second OpenMP thread costs more than it saves (see SingleThreadScope).
        using var oneThread = SingleThreadScope.Enter();
        using var scope = torch.NewDisposeScope();
        var p = rbm.Copy(ScalarType.Float64);
        var a = baseBias.detach().to(ScalarType.Float64);
        long h = p.HiddenUnits;
        using var generator = Core.Seeding.Generator(options.Seed, "ais");
        var start = a.expand(options.Chains, -1);
        var v = p.Visible == RbmVisible.Bernoulli
            ? torch.bernoulli(torch.sigmoid(start), generator: generator)
            : start + torch.randn(start.shape, dtype: ScalarType.Float64, generator: generator);
        var logW = torch.zeros(options.Chains, dtype: ScalarType.Float64);
        double previous = 0;
        for (int k = 1; k < options.Betas; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var step = torch.NewDisposeScope();
            double beta = (double)k / (options.Betas - 1);
            var input = p.HiddenInput(v);
            logW.add_((beta - previous) * (p.VisibleTerm(v, p.VisibleBias) - p.VisibleTerm(v, a))
                + torch.nn.functional.softplus(beta * input).sum(1) - torch.nn.functional.softplus(previous * input).sum(1));
            // One Gibbs sweep at β: h ~ σ(β(c + vW)), v ~ p(v | (1 − β)a + β(b + Wh)).
            var hidden = torch.bernoulli(torch.sigmoid(beta * input), generator: generator);
            var visibleInput = (1 - beta) * a + beta * p.VisibleInput(hidden);
            v.copy_(p.Visible == RbmVisible.Bernoulli
                ? torch.bernoulli(torch.sigmoid(visibleInput), generator: generator)
                : visibleInput + torch.randn(visibleInput.shape, dtype: ScalarType.Float64, generator: generator));
            previous = beta;
        }
        double logZa = h * Math.Log(2) + (p.Visible == RbmVisible.Bernoulli
            ? torch.nn.functional.softplus(a).sum().ToDouble()
            : 0.5 * p.VisibleUnits * Math.Log(2 * Math.PI));
        var (logMean, se) = LogMeanExp(logW);
        return new LogPartition(logZa + logMean, se, "ais");
    }

    /// <summary>log mean exp(x) and its standard error by the delta method: sd(w) / (√n · mean(w)), w = exp(x − max).</summary>
    public static (double LogMean, double StandardError) LogMeanExp(Tensor logWeights)
    {
        using var scope = torch.NewDisposeScope();
        long n = logWeights.shape[0];
        double max = logWeights.max().ToDouble();
        var w = (logWeights - max).exp();
        double mean = w.mean().ToDouble();
        double sd = w.std().ToDouble();
        return (max + Math.Log(mean), sd / (Math.Sqrt(n) * mean));
    }
}
