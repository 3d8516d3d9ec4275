using Loom.Core;

namespace Loom.Models.Tabular;

/// <summary>
/// Chooses a numeric column's marginal by the Kolmogorov–Smirnov statistic, as SDV's univariate selection does: the
/// parametric candidates (uniform, truncated normal and beta on the data's range, fitted by moments) are scored by KS
/// against the data and the best is kept when the KS test does not reject it at 5% (D ≤ 1.36/√n); otherwise the
/// empirical distribution, which fits any shape.
/// </summary>
public static class MarginalFit
{
    /// <summary>Knots an empirical marginal keeps at most.</summary>
    public const int MaxKnots = 1001;

    /// <summary>The names <see cref="Fit"/> takes: auto, or one distribution forced.</summary>
    public static IReadOnlyList<string> Choices { get; } = ["auto", "empirical", "uniform", "truncnorm", "beta"];

    /// <summary>
    /// The marginal for <paramref name="values"/> (finite, at least one) by <paramref name="choice"/> (see <see cref="Choices"/>).
    /// </summary>
    public static Marginal Fit(double[] values, string choice)
    {
        var sorted = values.Order().ToArray();
        var candidates = Candidates(sorted).ToList();
        switch (choice)
        {
            case "empirical":
                return Empirical(sorted);
            case "auto":
                var best = candidates.Select(c => (Marginal: c, D: KolmogorovSmirnov(sorted, c))).OrderBy(c => c.D).FirstOrDefault();
                return best.Marginal is not null && best.D <= 1.36 / Math.Sqrt(sorted.Length) ? best.Marginal : Empirical(sorted);
            default:
                return candidates.FirstOrDefault(c => c.Name == choice)
                    ?? (Choices.Contains(choice) ? Empirical(sorted)
                        : throw LoomUsageException.ForOption("Marginals", $"'{choice}' is not one of {string.Join(", ", Choices)}"));
        }
    }

    /// <summary>sup |F_n(x) − F(x)| of the sorted sample against <paramref name="marginal"/>.</summary>
    public static double KolmogorovSmirnov(double[] sorted, Marginal marginal)
    {
        double d = 0;
        int n = sorted.Length;
        for (int i = 0; i < n; i++)
        {
            double f = marginal.Cdf(sorted[i]);
            d = Math.Max(d, Math.Max(f - (double)i / n, (double)(i + 1) / n - f));
        }
        return d;
    }

    private static IEnumerable<Marginal> Candidates(double[] sorted)
    {
        double low = sorted[0], high = sorted[^1];
        if (!(high > low)) yield break;
        yield return new UniformMarginal(low, high);
        double mean = sorted.Average(), variance = sorted.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, sorted.Length - 1);
        if (variance > 0)
            yield return new TruncatedNormalMarginal(low, high, mean, Math.Sqrt(variance));
        double m = (mean - low) / (high - low), v = variance / ((high - low) * (high - low));
        double common = v > 0 ? m * (1 - m) / v - 1 : 0;
        if (common > 0 && m > 0 && m < 1)
            yield return new BetaMarginal(low, high, m * common, (1 - m) * common);
    }

    private static EmpiricalMarginal Empirical(double[] sorted)
    {
        int knots = Math.Min(MaxKnots, Math.Max(2, sorted.Length));
        var result = new double[knots];
        for (int k = 0; k < knots; k++)
        {
            double position = (double)k / (knots - 1) * (sorted.Length - 1);
            int below = (int)Math.Floor(position);
            int above = Math.Min(below + 1, sorted.Length - 1);
            result[k] = sorted[below] + (position - below) * (sorted[above] - sorted[below]);
        }
        return new EmpiricalMarginal(result);
    }
}
