using Loom.Core;

namespace Loom.Evaluation.Audit;

/// <summary>Pearson's χ² goodness-of-fit test and the χ² distribution's upper tail (regularized incomplete gamma Q).</summary>
public static class ChiSquareTest
{
    /// <summary>χ² statistic of <paramref name="observed"/> counts against expected <paramref name="shares"/> (summing to 1), and its
    /// p-value with (categories with a positive share − 1) degrees of freedom.</summary>
    public static (double Statistic, int DegreesOfFreedom, double PValue) GoodnessOfFit(IReadOnlyList<long> observed,
        IReadOnlyList<double> shares)
    {
        if (observed.Count != shares.Count)
            throw new LoomDataException($"χ² test: {observed.Count} observed counts but {shares.Count} expected shares");
        long total = observed.Sum();
        if (total == 0) throw new LoomDataException("χ² test: no observations");
        double statistic = 0;
        int categories = 0;
        for (int i = 0; i < observed.Count; i++)
        {
            if (shares[i] <= 0)
            {
                if (observed[i] > 0) return (double.PositiveInfinity, Math.Max(1, shares.Count(s => s > 0) - 1), 0);
                continue;
            }
            categories++;
            double expected = total * shares[i];
            statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        int df = Math.Max(1, categories - 1);
        return (statistic, df, UpperTail(statistic, df));
    }

    /// <summary>P(X ≥ <paramref name="x"/>) for X ~ χ² with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    public static double UpperTail(double x, int degreesOfFreedom)
    {
        if (degreesOfFreedom < 1) throw new LoomUsageException($"χ² needs at least 1 degree of freedom, got {degreesOfFreedom}");
        if (double.IsPositiveInfinity(x)) return 0;
        return x <= 0 ? 1 : RegularizedUpperGamma(degreesOfFreedom / 2.0, x / 2.0);
    }

    /// <summary>Q(a, x) = Γ(a, x)/Γ(a): a power series below x = a + 1, a continued fraction (modified Lentz) above.</summary>
    private static double RegularizedUpperGamma(double a, double x)
    {
        double logPrefix = a * Math.Log(x) - x - LogGamma(a);
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (int n = 1; n < 1000 && Math.Abs(term) > Math.Abs(sum) * 1e-16; n++)
            {
                term *= x / (a + n);
                sum += term;
            }
            return Math.Max(0, 1 - sum * Math.Exp(logPrefix));
        }
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i < 1000; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(logPrefix) * h;
    }

    /// <summary>ln Γ(z) for z &gt; 0 (Lanczos, g = 7, 9 coefficients; about 15 significant digits).</summary>
    private static double LogGamma(double z)
    {
        if (z < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * z))) - LogGamma(1 - z);
        double[] c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        z -= 1;
        double sum = c[0];
        for (int i = 1; i < c.Length; i++) sum += c[i] / (z + i);
        double t = z + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
