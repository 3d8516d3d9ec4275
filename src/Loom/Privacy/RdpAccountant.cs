using Loom.Core;

namespace Loom.Privacy;

/// <summary>
/// Tracks the privacy spent by a run of Poisson-subsampled Gaussian steps. Steps with the same noise multiplier and
/// sample rate are kept as one count, so a long run costs one RDP evaluation per distinct setting.
/// </summary>
public sealed class RdpAccountant
{
    private readonly List<(double NoiseMultiplier, double SampleRate, long Steps)> history = [];

    public RdpAccountant(IReadOnlyList<double>? orders = null)
    {
        Orders = orders ?? SubsampledGaussianRdp.DefaultOrders;
        if (Orders.Count == 0 || Orders.Any(a => !(a > 1) || double.IsInfinity(a)))
            throw new ArgumentException("RDP orders must be finite numbers above 1", nameof(orders));
    }

    public IReadOnlyList<double> Orders { get; }

    /// <summary>The (noise multiplier, sample rate, steps) groups recorded so far, oldest first.</summary>
    public IReadOnlyList<(double NoiseMultiplier, double SampleRate, long Steps)> History => history;

    /// <summary>Steps recorded over all settings.</summary>
    public long Steps => history.Sum(h => h.Steps);

    /// <summary>Records <paramref name="steps"/> steps with noise multiplier σ and sample rate q.</summary>
    public void Record(double noiseMultiplier, double sampleRate, long steps = 1)
    {
        SubsampledGaussianRdp.CheckMechanism(noiseMultiplier, sampleRate);
        if (steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {steps}");
        if (history.Count > 0 && history[^1].NoiseMultiplier == noiseMultiplier && history[^1].SampleRate == sampleRate)
            history[^1] = (noiseMultiplier, sampleRate, history[^1].Steps + steps);
        else
            history.Add((noiseMultiplier, sampleRate, steps));
    }

    /// <summary>The total RDP at each of <see cref="Orders"/>.</summary>
    public double[] Rdp()
    {
        var total = new double[Orders.Count];
        foreach (var (sigma, q, steps) in history)
        {
            var part = SubsampledGaussianRdp.Compose(sigma, q, steps, Orders);
            for (int k = 0; k < total.Length; k++) total[k] += part[k];
        }
        return total;
    }

    /// <summary>The ε spent so far at failure probability δ (0 before any step).</summary>
    public PrivacySpent Spent(double delta) =>
        history.Count == 0 ? new PrivacySpent(0, delta, double.NaN) : PrivacySpent.FromRdp(Orders, Rdp(), delta);

    /// <summary>ε after <paramref name="steps"/> steps with noise multiplier σ and sample rate q, at δ.</summary>
    public static PrivacySpent Epsilon(double noiseMultiplier, double sampleRate, long steps, double delta,
        IReadOnlyList<double>? orders = null)
    {
        if (steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {steps}");
        PrivacySpent.CheckDelta(delta);
        var accountant = new RdpAccountant(orders);
        accountant.Record(noiseMultiplier, sampleRate, steps);
        return accountant.Spent(delta);
    }
}
