using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// The Baum-Welch E-step in scaled probability space on managed arrays (Rabiner 1989): for each sequence the forward
/// messages are normalised to sum 1 at every step (scale <c>c_t</c>), the backward messages are divided by the same
/// scales, so the posteriors are <c>gamma_t = alpha_t * beta_t</c> and the expected transition counts are one
/// <c>K x K</c> product per step. Emission densities are shifted by their per-step maximum before exponentiation, so
/// <c>log p(x) = sum_t (log c_t + shift_t)</c>. No tensor op and no allocation runs per time step: the per-step cost is
/// three <c>K x K</c> loops instead of a dozen dispatched libtorch kernels.
/// </summary>
/// <remarks>Exact like the log-space recursions of <see cref="HmmInference"/>, except where a scale underflows to zero
/// (a step whose only plausible states are all but unreachable, e.g. transitions below 1e-308): the methods then
/// return null and the caller runs the log-space recursions instead.</remarks>
internal sealed class ScaledForwardBackward
{
    private readonly int k;
    private readonly double[] start;
    private readonly double[] trans;

    public ScaledForwardBackward(HmmParameters p)
    {
        k = p.States;
        start = p.StartProb.data<double>().ToArray();
        trans = p.TransMat.contiguous().data<double>().ToArray();
    }

    /// <summary>E-step statistics of one batch from its emission log-densities <c>[T, N, K]</c>, or null if a scale underflowed.</summary>
    public HmmEStepStatistics? EStep(HmmBatch batch, Tensor logB)
    {
        var lb = ToArray(logB);
        int n = batch.Count;
        var gamma = new double[batch.MaxLength * n * k];
        var xi = new double[k * k];
        var logLik = new double[n];
        var buffers = new SequenceBuffers(batch.MaxLength, k);
        for (int s = 0; s < n; s++)
        {
            int steps = (int)batch.Lengths[s];
            double? ll = ForwardScaled(lb, n, s, steps, buffers);
            if (ll is null)
                return null;
            logLik[s] = ll.Value;
            BackwardScaled(s, n, steps, buffers, gamma, xi);
        }
        for (int i = 0; i < xi.Length; i++)
            xi[i] *= trans[i];
        var startCounts = new double[k];
        for (int s = 0; s < n; s++)
            for (int j = 0; j < k; j++)
                startCounts[j] += gamma[s * k + j];
        return new HmmEStepStatistics(logLik, gamma, startCounts, xi);
    }

    /// <summary>log p(sequence) of every sequence in the batch (forward pass only), or null if a scale underflowed.</summary>
    public double[]? LogLikelihoods(HmmBatch batch, Tensor logB)
    {
        var lb = ToArray(logB);
        int n = batch.Count;
        var result = new double[n];
        var buffers = new SequenceBuffers(batch.MaxLength, k);
        for (int s = 0; s < n; s++)
        {
            double? ll = ForwardScaled(lb, n, s, (int)batch.Lengths[s], buffers);
            if (ll is null)
                return null;
            result[s] = ll.Value;
        }
        return result;
    }

    private static double[] ToArray(Tensor logB)
    {
        using var c = logB.contiguous();
        return c.data<double>().ToArray();
    }

    /// <summary>Fills <c>b</c> (shifted emission densities), <c>alpha</c> (normalised) and <c>scale</c> for sequence
    /// <paramref name="s"/>; returns its log-likelihood.</summary>
    private double? ForwardScaled(double[] lb, int n, int s, int steps, SequenceBuffers buf)
    {
        double logLik = 0;
        var b = buf.Emission;
        var alpha = buf.Alpha;
        for (int t = 0; t < steps; t++)
        {
            int src = (t * n + s) * k, row = t * k;
            double shift = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
                shift = Math.Max(shift, lb[src + j]);
            if (double.IsNegativeInfinity(shift) || double.IsNaN(shift))
                return null;
            for (int j = 0; j < k; j++)
                b[row + j] = Math.Exp(lb[src + j] - shift);
            if (t == 0)
            {
                for (int j = 0; j < k; j++)
                    alpha[j] = start[j] * b[j];
            }
            else
            {
                int prev = row - k;
                for (int j = 0; j < k; j++)
                    alpha[row + j] = 0;
                for (int i = 0; i < k; i++)
                {
                    double a = alpha[prev + i];
                    int ti = i * k;
                    for (int j = 0; j < k; j++)
                        alpha[row + j] += a * trans[ti + j];
                }
                for (int j = 0; j < k; j++)
                    alpha[row + j] *= b[row + j];
            }
            double c = 0;
            for (int j = 0; j < k; j++)
                c += alpha[row + j];
            if (!(c > 0) || double.IsInfinity(c))
                return null;
            double inv = 1.0 / c;
            for (int j = 0; j < k; j++)
                alpha[row + j] *= inv;
            buf.Scale[t] = c;
            logLik += Math.Log(c) + shift;
        }
        return logLik;
    }

    /// <summary>Backward pass of sequence <paramref name="s"/> over the buffers its forward pass filled: writes its posteriors into
    /// the time-major <paramref name="gamma"/> <c>[T, N, K]</c> and adds <c>sum_t alpha_t[i] * w_{t+1}[j]</c> into
    /// <paramref name="xi"/> (the transition matrix factor is applied once per batch).</summary>
    private void BackwardScaled(int s, int n, int steps, SequenceBuffers buf, double[] gamma, double[] xi)
    {
        var b = buf.Emission;
        var alpha = buf.Alpha;
        var beta = buf.Beta;
        var w = buf.Weighted;
        int last = (steps - 1) * k;
        for (int j = 0; j < k; j++)
        {
            beta[last + j] = 1;
            gamma[((steps - 1) * n + s) * k + j] = alpha[last + j];
        }
        for (int t = steps - 2; t >= 0; t--)
        {
            int row = t * k, next = row + k;
            double inv = 1.0 / buf.Scale[t + 1];
            for (int j = 0; j < k; j++)
                w[j] = b[next + j] * beta[next + j] * inv;
            int dst = (t * n + s) * k;
            for (int i = 0; i < k; i++)
            {
                int ti = i * k;
                double sum = 0, a = alpha[row + i];
                for (int j = 0; j < k; j++)
                {
                    sum += trans[ti + j] * w[j];
                    xi[ti + j] += a * w[j];
                }
                beta[row + i] = sum;
                gamma[dst + i] = a * sum;
            }
        }
    }

    /// <summary>Per-sequence work arrays, sized for the longest sequence of a batch and reused across its sequences.</summary>
    private sealed class SequenceBuffers(long steps, int states)
    {
        public double[] Emission { get; } = new double[steps * states];

        public double[] Alpha { get; } = new double[steps * states];

        public double[] Beta { get; } = new double[steps * states];

        public double[] Scale { get; } = new double[steps];

        public double[] Weighted { get; } = new double[states];
    }
}
