namespace Loom.Models.Tabular;

/// <summary>What a condition fixes in normal space: one value, or an interval (a category's) to draw from.</summary>
public readonly record struct NormalCondition(int Dimension, double Low, double High)
{
    public bool Exact => Low == High;
}

/// <summary>
/// Draws from N(0, Σ) given conditions on some coordinates. Conditions are taken in turn: each conditioned
/// coordinate is drawn from its normal given the coordinates fixed before it — exactly its value, or truncated to its
/// interval by inverse-CDF sampling — and the free coordinates then come from the Gaussian conditioned on all of them
/// (mean Σ_RS Σ_SS⁻¹ z_S, covariance Σ_RR − Σ_RS Σ_SS⁻¹ Σ_SR). One interval condition is drawn exactly; with several, each
/// interval draw ignores the intervals after it (an approximation that keeps every row within its intervals).
/// </summary>
public static class GaussianConditioning
{
    /// <summary>
    /// <paramref name="count"/> rows of d = Σ's size; <paramref name="scale"/> multiplies the noise's standard deviation.
    /// </summary>
    public static double[][] Sample(double[,] sigma, IReadOnlyList<NormalCondition> conditions, int count, Random random, double scale = 1)
    {
        int d = sigma.GetLength(0);
        var z = new double[count][];
        for (int i = 0; i < count; i++) z[i] = new double[d];
        var fixedDims = new List<int>();
        foreach (var condition in conditions)
        {
            int c = condition.Dimension;
            var (weights, variance) = Regression(sigma, fixedDims, c);
            double sd = Math.Sqrt(Math.Max(variance, 1e-12)) * scale;
            for (int i = 0; i < count; i++)
            {
                double mean = 0;
                for (int k = 0; k < fixedDims.Count; k++) mean += weights[k] * z[i][fixedDims[k]];
                z[i][c] = condition.Exact ? condition.Low : TruncatedDraw(mean, sd, condition.Low, condition.High, random);
            }
            fixedDims.Add(c);
        }
        var free = Enumerable.Range(0, d).Where(j => !fixedDims.Contains(j)).ToList();
        if (free.Count == 0) return z;
        var w = free.Select(r => Regression(sigma, fixedDims, r).Weights).ToList();
        var cov = new double[free.Count, free.Count];
        for (int a = 0; a < free.Count; a++)
            for (int b = 0; b < free.Count; b++)
            {
                double v = sigma[free[a], free[b]];
                for (int k = 0; k < fixedDims.Count; k++) v -= w[a][k] * sigma[fixedDims[k], free[b]];
                cov[a, b] = v;
            }
        for (int a = 0; a < free.Count; a++)
            for (int b = 0; b < a; b++)
                cov[a, b] = cov[b, a] = (cov[a, b] + cov[b, a]) / 2;
        var l = CorrelationMatrix.Cholesky(cov);
        var noise = new double[free.Count];
        for (int i = 0; i < count; i++)
        {
            for (int a = 0; a < free.Count; a++) noise[a] = StandardNormal(random) * scale;
            for (int a = 0; a < free.Count; a++)
            {
                double v = 0;
                for (int k = 0; k < fixedDims.Count; k++) v += w[a][k] * z[i][fixedDims[k]];
                for (int b = 0; b <= a; b++) v += l[a, b] * noise[b];
                z[i][free[a]] = v;
            }
        }
        return z;
    }

    /// <summary>A standard normal draw (Box–Muller), reproducible from the generator's state.</summary>
    public static double StandardNormal(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Σ_SS⁻¹ Σ_Sc and the conditional variance Σ_cc − Σ_cS Σ_SS⁻¹ Σ_Sc.</summary>
    private static (double[] Weights, double Variance) Regression(double[,] sigma, List<int> fixedDims, int c)
    {
        if (fixedDims.Count == 0) return ([], sigma[c, c]);
        int s = fixedDims.Count;
        var sss = new double[s, s];
        for (int a = 0; a < s; a++)
            for (int b = 0; b < s; b++)
                sss[a, b] = sigma[fixedDims[a], fixedDims[b]];
        var ssc = fixedDims.Select(f => sigma[f, c]).ToArray();
        var weights = CorrelationMatrix.CholeskySolve(CorrelationMatrix.Cholesky(sss), ssc);
        double variance = sigma[c, c];
        for (int k = 0; k < s; k++) variance -= weights[k] * ssc[k];
        return (weights, variance);
    }

    private static double TruncatedDraw(double mean, double sd, double low, double high, Random random)
    {
        double a = Distributions.NormalCdf((low - mean) / sd), b = Distributions.NormalCdf((high - mean) / sd);
        if (!(b - a > 1e-300))
            return Math.Clamp(mean, low, high);
        double u = a + random.NextDouble() * (b - a);
        return Math.Clamp(mean + sd * Distributions.NormalQuantile(u), low, high);
    }
}
