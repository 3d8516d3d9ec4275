using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// Log-space HMM recursions on time-major padded batches (<see cref="HmmBatch"/>): forward-backward, posteriors,
/// expected sufficient statistics and Viterbi. Each time step is a handful of tensor ops over all sequences and
/// states at once; emission log-densities for every step are computed up front. The Baum-Welch E-step and the
/// log-likelihood run the scaled recursions of <see cref="ScaledForwardBackward"/> first (a few K x K loops per step
/// instead of a dozen libtorch kernels) and these log-space ones only where a scale underflows.
/// </summary>
internal static class HmmInference
{
    /// <summary>Forward messages <c>log p(x_1..x_t, z_t)</c>, <c>[T, N, K]</c>; past a sequence's end they are carried unchanged,
    /// so the last row gives every sequence's log-likelihood.</summary>
    /// <remarks>The log-sum-exp over previous states is computed as <c>m + log(exp(alpha - m) @ A)</c> with <c>m</c> the
    /// row maximum of <c>alpha</c>: exact in log space and a few ops per step, where a broadcast <c>[N, K, K]</c>
    /// logsumexp costs several times more. A state reachable only through transitions below about 1e-308 (relative
    /// to the most likely predecessor) gets log-probability -inf at that step instead of a value below -708.</remarks>
    public static Tensor Forward(HmmParameters p, Tensor[] logB, Tensor[] maskSteps, long minLength)
    {
        int steps = logB.Length;
        var alphas = new Tensor[steps];
        alphas[0] = p.LogStart + logB[0];
        using (SingleThreadScope.Enter())
        {
            for (int t = 1; t < steps; t++)
            {
                var prev = alphas[t - 1];
                var next = LogMatExp(prev, p.TransMat).add_(logB[t]);
                alphas[t] = t >= minLength ? where(maskSteps[t], next, prev) : next;
            }
        }
        return stack(alphas);
    }

    /// <summary>Backward messages <c>log p(x_{t+1}..x_T | z_t)</c>, <c>[T, N, K]</c>; zero at and past each sequence's last step.</summary>
    public static Tensor Backward(HmmParameters p, Tensor[] logB, Tensor[] maskSteps, long minLength)
    {
        int steps = logB.Length;
        var betas = new Tensor[steps];
        var transT = p.TransMat.t();
        betas[steps - 1] = zeros_like(logB[0]);
        using (SingleThreadScope.Enter())
        {
            for (int t = steps - 2; t >= 0; t--)
            {
                var next = LogMatExp(logB[t + 1] + betas[t + 1], transT);
                betas[t] = t + 1 >= minLength ? where(maskSteps[t + 1], next, betas[steps - 1]) : next;
            }
        }
        return stack(betas);
    }

    /// <summary><c>log(exp(v) @ m)</c> for log-vectors <c>v [N, K]</c> and a probability matrix <c>m [K, K]</c>, shifted by the row max of
    /// <c>v</c>.</summary>
    private static Tensor LogMatExp(Tensor v, Tensor m)
    {
        var shift = v.amax(AxisOne, keepdim: true);
        return v.sub(shift).exp_().matmul(m).log_().add_(shift);
    }

    private static readonly long[] AxisOne = { 1 };

    /// <summary>Runs forward-backward on a batch and returns (log-likelihood per sequence <c>[N]</c>, posteriors <c>[T, N, K]</c>
    /// zeroed at padding, forward, backward, emission log-densities).</summary>
    public static (Tensor LogLik, Tensor Gamma, Tensor Alpha, Tensor Beta, Tensor LogB) ForwardBackward(HmmParameters p, HmmBatch batch,
        Tensor? emissionLogProb = null)
    {
        var logB = emissionLogProb ?? p.Emissions.LogProb(batch.Observations);       // [T, N, K]
        var logBSteps = logB.unbind(0);
        var maskSteps = batch.Mask.unsqueeze(2).unbind(0);          // T x [N, 1]
        var alpha = Forward(p, logBSteps, maskSteps, batch.MinLength);
        var beta = Backward(p, logBSteps, maskSteps, batch.MinLength);
        var logLik = alpha[-1].logsumexp(1);                         // [N]
        var gamma = (alpha + beta - logLik.view(1, -1, 1)).exp_().mul_(batch.Mask.unsqueeze(2));
        return (logLik, gamma, alpha, beta, logB);
    }

    /// <summary>Log-likelihood of every sequence in the batch, <c>[N]</c> (forward pass only; scaled recursions, log-space when a
    /// scale underflows).</summary>
    public static Tensor LogLikelihood(HmmParameters p, HmmBatch batch)
    {
        using var scope = NewDisposeScope();
        var logB = p.Emissions.LogProb(batch.Observations);
        var scaled = new ScaledForwardBackward(p).LogLikelihoods(batch, logB);
        if (scaled is not null)
            return tensor(scaled, ScalarType.Float64).MoveToOuterDisposeScope();
        var alpha = Forward(p, logB.unbind(0), batch.Mask.unsqueeze(2).unbind(0), batch.MinLength);
        return alpha[-1].logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>Expected transition counts summed over sequences and steps, <c>[K, K]</c> (from, to):
    /// <c>A[i, j] * sum_{n,t} exp(alpha_t[i] + logB_{t+1}[j] + beta_{t+1}[j] - logLik)</c>, evaluated as one
    /// <c>[K, M] @ [M, K]</c> product of max-shifted exponentials (each (n, t) term's shift is at least
    /// <c>-2 log K</c> below its xi total of 1, so nothing underflows).</summary>
    public static Tensor TransitionCounts(HmmParameters p, HmmBatch batch, Tensor logLik, Tensor alpha, Tensor beta, Tensor logB)
    {
        long steps = batch.MaxLength;
        if (steps < 2)
            return zeros(p.States, p.States, dtype: ScalarType.Float64);
        var from = alpha[..^1];                                                 // [T-1, N, K]
        var to = logB[1..] + beta[1..];                                         // [T-1, N, K]
        var fromMax = from.amax(LastAxis, keepdim: true);
        var toMax = to.amax(LastAxis, keepdim: true);
        var weight = (fromMax + toMax).sub_(logLik.view(1, -1, 1)).exp_()
            .masked_fill_(batch.Mask[1..].unsqueeze(2).logical_not(), 0.0);   // [T-1, N, 1]
        var left = (from - fromMax).exp_().mul_(weight).reshape(-1, p.States);
        var right = to.sub_(toMax).exp_().reshape(-1, p.States);
        return left.t().matmul(right).mul_(p.TransMat);
    }

    private static readonly long[] LastAxis = { -1 };

    /// <summary>E-step of Baum-Welch on one batch: adds expected counts to the accumulators and returns the batch's total
    /// log-likelihood.</summary>
    /// <remarks>Runs the scaled recursions of <see cref="ScaledForwardBackward"/> and falls back to the log-space ones when a
    /// scale underflows.</remarks>
    public static double Accumulate(HmmParameters p, HmmBatch batch, Tensor startCounts, Tensor transCounts, Tensor[] emissionStats,
        ScaledForwardBackward? scaled = null)
    {
        using var scope = NewDisposeScope();
        var logB = p.Emissions.LogProb(batch.Observations);
        var stats = (scaled ?? new ScaledForwardBackward(p)).EStep(batch, logB);
        Tensor gamma;
        double total;
        if (stats is not null)
        {
            startCounts.add_(tensor(stats.StartCounts, ScalarType.Float64));
            transCounts.add_(tensor(stats.TransCounts, ScalarType.Float64).view(p.States, p.States));
            gamma = tensor(stats.Gamma, ScalarType.Float64);
            total = stats.LogLik.Sum();
        }
        else
        {
            var (logLik, logGamma, alpha, beta, _) = ForwardBackward(p, batch, logB);
            startCounts.add_(logGamma[0].sum(0L));
            transCounts.add_(TransitionCounts(p, batch, logLik, alpha, beta, logB));
            gamma = logGamma;
            total = logLik.sum().item<double>();
        }
        var flatWeights = gamma.reshape(-1, p.States);
        var obs = batch.Observations;
        var flatObs = obs.dim() == 2 ? obs.reshape(-1) : obs.reshape(-1, obs.shape[2]);
        p.Emissions.Accumulate(emissionStats, flatObs, flatWeights);
        return total;
    }

    /// <summary>Most likely state paths <c>[T, N]</c> (entries past a sequence's end repeat its last state) and their joint
    /// log-probabilities <c>[N]</c>.</summary>
    public static (Tensor Paths, Tensor LogProb) Viterbi(HmmParameters p, HmmBatch batch)
    {
        using var scope = NewDisposeScope();
        var logB = p.Emissions.LogProb(batch.Observations).unbind(0);
        var maskSteps = batch.Mask.unsqueeze(2).unbind(0);
        int steps = logB.Length;
        var logTrans = p.LogTrans.unsqueeze(0);
        var stay = arange(p.States, dtype: ScalarType.Int64).expand(batch.Count, p.States);
        var backPointers = new Tensor[steps];
        var delta = p.LogStart + logB[0];
        using var oneThread = SingleThreadScope.Enter();
        for (int t = 1; t < steps; t++)
        {
            var (best, argBest) = (delta.unsqueeze(2) + logTrans).max(1);
            var next = best.add_(logB[t]);
            if (t >= batch.MinLength)
            {
                next = where(maskSteps[t], next, delta);
                argBest = where(maskSteps[t], argBest, stay);
            }
            backPointers[t] = argBest;
            delta = next;
        }
        var (logProb, state) = delta.max(1);
        var path = new Tensor[steps];
        path[steps - 1] = state;
        for (int t = steps - 1; t > 0; t--)
        {
            state = backPointers[t].gather(1, state.unsqueeze(1)).squeeze(1);
            path[t - 1] = state;
        }
        return (stack(path).MoveToOuterDisposeScope(), logProb.MoveToOuterDisposeScope());
    }
}
