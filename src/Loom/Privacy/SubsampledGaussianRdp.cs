using Loom.Core;

namespace Loom.Privacy;

/// <summary>
/// Rényi differential privacy of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019, "Rényi
/// Differential Privacy of the Sampled Gaussian Mechanism"): each example joins a step's batch with probability
/// <c>q</c>, the summed per-example contributions are clipped to norm C and get Gaussian noise of standard deviation σC.
/// The bound is the log of the mechanism's α-th moment, A_α, divided by α − 1; integer orders use the binomial
/// expansion, fractional orders the two-sided series with erfc tails, both summed in log space.
/// </summary>
public static class SubsampledGaussianRdp
{
    /// <summary>The orders tracked by default: 1.1, 1.2, … 10.9, then 11 … 63, then a few large ones for tiny budgets.</summary>
    public static IReadOnlyList<double> DefaultOrders { get; } =
        Enumerable.Range(1, 99).Select(i => 1 + i / 10.0)
            .Concat(Enumerable.Range(11, 53).Select(i => (double)i))
            .Concat([80, 96, 128, 256, 512, 1024])
            .ToArray();

    /// <summary>RDP at order <paramref name="order"/> of one step with noise multiplier σ and sample rate q.</summary>
    public static double Step(double noiseMultiplier, double sampleRate, double order)
    {
        CheckMechanism(noiseMultiplier, sampleRate);
        if (!(order > 1) || double.IsInfinity(order))
            throw new ArgumentOutOfRangeException(nameof(order), order, "an RDP order must be a finite number above 1");
        if (sampleRate == 1)
            return order / (2 * noiseMultiplier * noiseMultiplier);
        double logA = order == Math.Floor(order)
            ? LogMomentIntegerOrder(sampleRate, noiseMultiplier, (int)order)
            : LogMomentFractionalOrder(sampleRate, noiseMultiplier, order);
        return logA / (order - 1);
    }

    /// <summary>RDP at each order after <paramref name="steps"/> steps (composition adds the per-step values).</summary>
    public static double[] Compose(double noiseMultiplier, double sampleRate, long steps, IReadOnlyList<double> orders)
    {
        if (steps < 0) throw LoomUsageException.ForOption("Steps", $"must be non-negative, got {steps}");
        return orders.Select(a => steps == 0 ? 0 : Step(noiseMultiplier, sampleRate, a) * steps).ToArray();
    }

    internal static void CheckMechanism(double noiseMultiplier, double sampleRate)
    {
        if (!(noiseMultiplier > 0) || !double.IsFinite(noiseMultiplier))
            throw LoomUsageException.ForOption("NoiseMultiplier", $"must be a positive number, got {noiseMultiplier}");
        if (!(sampleRate > 0 && sampleRate <= 1))
            throw LoomUsageException.ForOption("SampleRate", $"must be in (0, 1], got {sampleRate}");
    }

    /// <summary>log A_α = log Σ_{i=0..α} C(α, i) q^i (1−q)^{α−i} e^{(i²−i)/(2σ²)} for integer α.</summary>
    private static double LogMomentIntegerOrder(double q, double sigma, int alpha)
    {
        double logA = double.NegativeInfinity, logBinomial = 0;
        for (int i = 0; i <= alpha; i++)
        {
            if (i > 0) logBinomial += Math.Log(alpha - i + 1) - Math.Log(i);
            double term = logBinomial + i * Math.Log(q) + (alpha - i) * Math.Log(1 - q) + (i * (double)i - i) / (2 * sigma * sigma);
            logA = LogSpace.Add(logA, term);
        }
        return logA;
    }

    /// <summary>
    /// log A_α for fractional α: A_α = A0 + A1, two series over i = 0, 1, … split at z0 = σ² log(1/q − 1) + ½, whose terms
    /// carry erfc tail weights; the binomial coefficients C(α, i) change sign past α, so each series adds or subtracts in
    /// log space. Summation stops once both new terms fall below e^−30.
    /// </summary>
    private static double LogMomentFractionalOrder(double q, double sigma, double alpha)
    {
        double logA0 = double.NegativeInfinity, logA1 = double.NegativeInfinity;
        double z0 = sigma * sigma * Math.Log(1 / q - 1) + 0.5;
        double logAbsBinomial = 0;
        int sign = 1;
        for (int i = 0; i < 1_000_000; i++)
        {
            if (i > 0)
            {
                double factor = (alpha - i + 1) / i;
                if (factor < 0) sign = -sign;
                logAbsBinomial += Math.Log(Math.Abs(factor));
            }
            double j = alpha - i;
            double logT0 = logAbsBinomial + i * Math.Log(q) + j * Math.Log(1 - q);
            double logT1 = logAbsBinomial + j * Math.Log(q) + i * Math.Log(1 - q);
            double logE0 = Math.Log(0.5) + LogSpace.LogErfc((i - z0) / (Math.Sqrt(2) * sigma));
            double logE1 = Math.Log(0.5) + LogSpace.LogErfc((z0 - j) / (Math.Sqrt(2) * sigma));
            double logS0 = logT0 + (i * (double)i - i) / (2 * sigma * sigma) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
            if (sign > 0)
            {
                logA0 = LogSpace.Add(logA0, logS0);
                logA1 = LogSpace.Add(logA1, logS1);
            }
            else
            {
                logA0 = LogSpace.Subtract(logA0, logS0);
                logA1 = LogSpace.Subtract(logA1, logS1);
            }
            if (Math.Max(logS0, logS1) < -30)
                break;
        }
        return LogSpace.Add(logA0, logA1);
    }
}
