using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mcmc;

/// <summary>What a run produced: draws [samples, chains, d], acceptance rate per chain, the final step size, and summaries.</summary>
public sealed record McmcResult(Tensor Draws, double[] Acceptance, double StepSize, double[] Mean, double[] Variance,
    double[] EffectiveSampleSize) : IDisposable
{
    /// <summary>The draws of every chain as rows [samples × chains, d], draw by draw (what draws.csv holds).</summary>
    public Tensor FlatDraws() => Draws.reshape(-1, Draws.shape[2]);

    public void Dispose() => Draws.Dispose();
}

/// <summary>
/// Runs many chains of one MCMC sampler as a batch. Burn-in draws are discarded (and tune the step size when
/// <see cref="McmcOptions.Adapt"/>); then every <c>Thin</c>-th state is kept. Each transition runs in its own
/// dispose scope; gradients for MALA/HMC come from TorchSharp autograd.
/// </summary>
public static class McmcRunner
{
    public static McmcResult Run(McmcTarget target, McmcOptions options, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        if (target.IsDiscrete != (options.Sampler == McmcSampler.Gibbs))
            throw new LoomUsageException(target.IsDiscrete
                ? $"target '{target.Name}' is discrete; use gibbs"
                : $"gibbs needs a discrete target; '{target.Name}' is continuous (use rwmh, mala or hmc)");
        using var outer = torch.NewDisposeScope();
        var g = Seeding.Generator(options.Seed, "mcmc");
        var state = InitialState(target, options, g);
        double step = options.StepSize;
        var accepted = torch.zeros(options.Chains, dtype: ScalarType.Float64);
        int total = options.BurnIn + options.Samples * options.Thin;
        var kept = new List<Tensor>(options.Samples);
        for (int t = 0; t < total; t++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var (next, accept) = Transition(target, options, state, step, g);
            state.Dispose();
            state = next.detach().MoveToOuterDisposeScope();
            if (t < options.BurnIn)
            {
                if (options.Adapt && options.Sampler != McmcSampler.Gibbs)
                    step *= Math.Exp((accept.mean().item<double>() - options.Target) / Math.Sqrt(t + 1));
            }
            else
            {
                accepted.add_(accept);
                if ((t - options.BurnIn + 1) % options.Thin == 0)
                    kept.Add(state.clone().MoveToOuterDisposeScope());
            }
            if ((t & 63) == 0 || t == total - 1) progress?.Report((t + 1, total));
        }
        state.Dispose();
        var draws = torch.stack(kept, 0).to(ScalarType.Float64); // [samples, chains, d]
        foreach (var k in kept) k.Dispose();
        var acceptance = (accepted / (options.Samples * options.Thin)).data<double>().ToArray();
        accepted.Dispose();
        var flat = draws.reshape(-1, draws.shape[2]);
        var mean = flat.mean([0]).data<double>().ToArray();
        var variance = flat.var(0L).data<double>().ToArray();
        flat.Dispose();
        return new McmcResult(draws.MoveToOuterDisposeScope(), acceptance, step, mean, variance,
            McmcDiagnostics.EffectiveSampleSize(draws));
    }

    private static Tensor InitialState(McmcTarget target, McmcOptions o, Generator g)
    {
        if (target.IsDiscrete)
            return torch.randint(target.Categories, [o.Chains, target.Dimensions], generator: g);
        var start = torch.tensor(target.Start ?? new double[target.Dimensions], ScalarType.Float64);
        return start + 0.1 * torch.randn([o.Chains, target.Dimensions], ScalarType.Float64, generator: g);
    }

    private static (Tensor Next, Tensor Accepted) Transition(McmcTarget target, McmcOptions o, Tensor x, double step, Generator g) =>
        o.Sampler switch
        {
            McmcSampler.RandomWalk => RandomWalk(target.LogDensity!, x, step, g),
            McmcSampler.Mala => Mala(target.LogDensity!, x, step, g),
            McmcSampler.Hmc => Hmc(target.LogDensity!, x, step, o.LeapfrogSteps, g),
            _ => Gibbs(target, x, g),
        };

    private static (Tensor, Tensor) Accept(Tensor x, Tensor proposal, Tensor logAlpha, Generator g)
    {
        var u = torch.rand(logAlpha.shape, dtype: ScalarType.Float64, generator: g).log();
        var accept = u.lt(logAlpha.nan_to_num(-1e300));
        return (torch.where(accept.unsqueeze(1), proposal, x), accept.to(ScalarType.Float64));
    }

    private static (Tensor, Tensor) RandomWalk(Func<Tensor, Tensor> logp, Tensor x, double step, Generator g)
    {
        var proposal = x + step * torch.randn(x.shape, ScalarType.Float64, generator: g);
        return Accept(x, proposal, logp(proposal) - logp(x), g);
    }

    /// <summary>log p and its gradient at x (per chain).</summary>
    private static (Tensor LogP, Tensor Grad) ValueAndGrad(Func<Tensor, Tensor> logp, Tensor x)
    {
        using var enable = torch.enable_grad();
        var leaf = x.detach().requires_grad_(true);
        var value = logp(leaf);
        var grad = torch.autograd.grad([value.sum()], [leaf])[0];
        return (value.detach(), grad.detach());
    }

    private static (Tensor, Tensor) Mala(Func<Tensor, Tensor> logp, Tensor x, double h, Generator g)
    {
        var (lpx, gx) = ValueAndGrad(logp, x);
        var proposal = x + h * gx + Math.Sqrt(2 * h) * torch.randn(x.shape, ScalarType.Float64, generator: g);
        var (lpy, gy) = ValueAndGrad(logp, proposal);
        // log q(a | b) = −|a − b − h∇log p(b)|² / (4h) + const
        var forward = -(proposal - x - h * gx).square().sum(1) / (4 * h);
        var backward = -(x - proposal - h * gy).square().sum(1) / (4 * h);
        return Accept(x, proposal, lpy - lpx + backward - forward, g);
    }

    private static (Tensor, Tensor) Hmc(Func<Tensor, Tensor> logp, Tensor x, double eps, int steps, Generator g)
    {
        var momentum = torch.randn(x.shape, ScalarType.Float64, generator: g);
        var (lp0, grad) = ValueAndGrad(logp, x);
        var q = x;
        var p = momentum + 0.5 * eps * grad;
        Tensor lp = lp0;
        for (int i = 0; i < steps; i++)
        {
            q = q + eps * p;
            (lp, grad) = ValueAndGrad(logp, q);
            p = i == steps - 1 ? p + 0.5 * eps * grad : p + eps * grad;
        }
        var h0 = -lp0 + 0.5 * momentum.square().sum(1);
        var h1 = -lp + 0.5 * p.square().sum(1);
        return Accept(x, q, h0 - h1, g);
    }

    private static (Tensor, Tensor) Gibbs(McmcTarget target, Tensor state, Generator g)
    {
        var s = state.clone();
        for (int i = 0; i < target.Dimensions; i++)
        {
            var logits = target.ConditionalLogits!(s, i);
            var draw = torch.multinomial(torch.softmax(logits, 1), 1, generator: g).squeeze(1);
            s.index_copy_(1, torch.tensor(new long[] { i }), draw.unsqueeze(1).to(s.dtype));
        }
        return (s, torch.ones(state.shape[0], dtype: ScalarType.Float64));
    }
}
