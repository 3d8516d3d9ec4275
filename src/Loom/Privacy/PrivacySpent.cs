using Loom.Core;

namespace Loom.Privacy;

/// <summary>An (ε, δ) guarantee and the RDP order that gave the smallest ε.</summary>
public sealed record PrivacySpent(double Epsilon, double Delta, double BestOrder)
{
    /// <summary>
    /// Converts RDP values (one per order) into the smallest ε over the orders at failure probability δ, with the
    /// improved conversion of Balle et al. 2020 ("Hypothesis Testing Interpretations and Rényi DP", Prop. 12), the one
    /// Opacus uses: ε = RDP(α) + log((α−1)/α) − (log δ + log α)/(α − 1).
    /// </summary>
    public static PrivacySpent FromRdp(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        CheckDelta(delta);
        if (orders.Count != rdp.Count || orders.Count == 0)
            throw new ArgumentException($"{orders.Count} orders for {rdp.Count} RDP values");
        double best = double.PositiveInfinity, bestOrder = double.NaN;
        for (int k = 0; k < orders.Count; k++)
        {
            double a = orders[k];
            double eps = rdp[k] + Math.Log((a - 1) / a) - (Math.Log(delta) + Math.Log(a)) / (a - 1);
            if (eps < best)
            {
                best = eps;
                bestOrder = a;
            }
        }
        return new PrivacySpent(Math.Max(best, 0), delta, bestOrder);
    }

    internal static void CheckDelta(double delta)
    {
        if (!(delta > 0 && delta < 1))
            throw LoomUsageException.ForOption("Delta", $"must be in (0, 1), got {delta}");
    }
}
