using Loom.Core;

namespace Loom.Privacy;

/// <summary>The noise multiplier that meets a target ε, and the ε it actually gives.</summary>
public sealed record NoiseCalibration(double NoiseMultiplier, PrivacySpent Spent)
{
    /// <summary>
    /// The smallest noise multiplier (to a relative precision of <paramref name="tolerance"/>) whose ε after
    /// <paramref name="steps"/> steps at sample rate q stays at or below <paramref name="targetEpsilon"/>: double an upper
    /// bound until it is private enough, then bisect (ε falls as the noise grows).
    /// </summary>
    public static NoiseCalibration ForTarget(double targetEpsilon, double delta, double sampleRate, long steps,
        double tolerance = 1e-4, IReadOnlyList<double>? orders = null)
    {
        if (!(targetEpsilon > 0) || !double.IsFinite(targetEpsilon))
            throw LoomUsageException.ForOption("TargetEpsilon", $"must be a positive number, got {targetEpsilon}");
        if (steps < 1) throw LoomUsageException.ForOption("Steps", $"must be at least 1, got {steps}");
        PrivacySpent.CheckDelta(delta);
        SubsampledGaussianRdp.CheckMechanism(1, sampleRate);
        PrivacySpent At(double sigma) => RdpAccountant.Epsilon(sigma, sampleRate, steps, delta, orders);
        double low = 0, high = 1;
        var atHigh = At(high);
        while (atHigh.Epsilon > targetEpsilon)
        {
            low = high;
            high *= 2;
            if (high > 1e6)
                throw LoomUsageException.ForOption("TargetEpsilon", $"ε = {targetEpsilon} at δ = {delta} is out of reach "
                    + $"for {steps} steps at sample rate {sampleRate}");
            atHigh = At(high);
        }
        while (high - low > tolerance * high)
        {
            double mid = (low + high) / 2;
            var atMid = At(mid);
            if (atMid.Epsilon > targetEpsilon)
                low = mid;
            else
                (high, atHigh) = (mid, atMid);
        }
        return new NoiseCalibration(high, atHigh);
    }
}
