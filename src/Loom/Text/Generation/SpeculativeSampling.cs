namespace Loom.Text.Generation;

/// <summary>
/// The acceptance rule of speculative sampling (Leviathan et al. 2023, Chen et al. 2023), on plain probability vectors:
/// drafted token dᵢ ~ qᵢ is kept with probability min(1, pᵢ(dᵢ)/qᵢ(dᵢ)); the first rejected one is replaced by a draw from
/// norm(max(0, pᵢ − qᵢ)), and when every draft is kept a bonus token is drawn from the target's next distribution. Each
/// emitted token is then distributed exactly as the target p would have chosen it.
/// </summary>
public static class SpeculativeSampling
{
    /// <summary>
    /// Checks <paramref name="drafts"/> (k tokens, drawn from <paramref name="q"/>: k distributions) against the target's
    /// <paramref name="p"/> (k + 1 distributions: after each prefix, the last after every draft). Returns how many drafts
    /// were accepted and the token that follows them (the correction or the bonus).
    /// </summary>
    public static (int Accepted, int Next) Verify(IReadOnlyList<double[]> p, IReadOnlyList<double[]> q, IReadOnlyList<int> drafts,
        Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (q.Count != drafts.Count || p.Count != drafts.Count + 1)
            throw new ArgumentException($"expected {drafts.Count + 1} target and {drafts.Count} draft distributions for {drafts.Count} "
                + $"drafts, got {p.Count} and {q.Count}");
        for (int i = 0; i < drafts.Count; i++)
        {
            int d = drafts[i];
            double ratio = q[i][d] > 0 ? p[i][d] / q[i][d] : 0;
            if (random.NextDouble() < ratio)   // NextDouble is in [0, 1): accepted with probability min(1, ratio)
                continue;
            return (i, Draw(Residual(p[i], q[i]) ?? p[i], random));
        }
        return (drafts.Count, Draw(p[drafts.Count], random));
    }

    /// <summary>max(0, p − q), unnormalised; null when it is zero everywhere (p ≤ q, so p = q up to rounding).</summary>
    public static double[]? Residual(double[] p, double[] q)
    {
        var residual = new double[p.Length];
        double total = 0;
        for (int v = 0; v < p.Length; v++)
        {
            residual[v] = Math.Max(0, p[v] - q[v]);
            total += residual[v];
        }
        return total > 0 ? residual : null;
    }

    /// <summary>A draw from the categorical distribution proportional to non-negative <paramref name="weights"/>.</summary>
    public static int Draw(double[] weights, Random random)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        if (!(total > 0))
            throw new ArgumentException("the weights have no positive mass", nameof(weights));
        double u = random.NextDouble() * total, cumulative = 0;
        int last = 0;
        for (int v = 0; v < weights.Length; v++)
        {
            if (weights[v] <= 0) continue;
            cumulative += weights[v];
            last = v;
            if (u < cumulative) return v;
        }
        return last;   // rounding left u at the very top
    }
}
