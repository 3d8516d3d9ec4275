namespace Loom.Models.Tabular;

/// <summary>The standard normal distribution's CDF and quantile, and the regularized incomplete beta function.</summary>
public static class Distributions
{
    /// <summary>Φ(z) through <see cref="Erfc"/>.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    // Acklam's coefficients for Φ⁻¹ (central region a/b, tails c/d; highest power first).
    private static readonly double[] QuantileA =
        [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
            2.506628277459239e+00];
    private static readonly double[] QuantileB =
        [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01, 1];
    private static readonly double[] QuantileC =
        [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
            2.938163982698783e+00];
    private static readonly double[] QuantileD =
        [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00, 1];

    // W. J. Cody's rational approximations of erf/erfc on |x| < 0.5, [0.5, 4) and [4, ∞) (highest power first).
    private static readonly double[] SmallTop = [0.185777706184603153, 3.16112374387056560, 113.864154151050156, 377.485237685302021,
        3209.37758913846947];
    private static readonly double[] SmallBottom = [1, 23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
    private static readonly double[] MiddleTop = [2.15311535474403846e-8, 0.564188496988670089, 8.88314979438837594, 66.1191906371416295,
        298.635138197400131, 881.952221241769090, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725];
    private static readonly double[] MiddleBottom = [1, 15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019,
        3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942];
    private static readonly double[] LargeTop = [0.0163153871373020978, 0.305326634961232344, 0.360344899949804439, 0.125781726111229246,
        0.0160837851487422766, 6.58749161529837803e-4];
    private static readonly double[] LargeBottom =
        [1, 2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 2.33520497626869185e-3];

    /// <summary>Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation with one Halley step (relative error ~1e-15).</summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0) return double.NegativeInfinity;
        if (p >= 1) return double.PositiveInfinity;
        double x;
        if (p < 0.02425 || p > 1 - 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(Math.Min(p, 1 - p)));
            x = Polynomial(q, QuantileC) / Polynomial(q, QuantileD) * (p < 0.5 ? 1 : -1);
        }
        else
        {
            double q = p - 0.5, r = q * q;
            x = Polynomial(r, QuantileA) * q / Polynomial(r, QuantileB);
        }
        double e = NormalCdf(x) - p, u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /// <summary>The complementary error function (W. J. Cody's rational approximations, near machine precision).</summary>
    public static double Erfc(double x)
    {
        double ax = Math.Abs(x), result;
        if (ax < 0.5)
            return 1 - x * Polynomial(x * x, SmallTop) / Polynomial(x * x, SmallBottom);
        if (ax < 4)
            result = Math.Exp(-ax * ax) * Polynomial(ax, MiddleTop) / Polynomial(ax, MiddleBottom);
        else
        {
            double z = 1 / (ax * ax);
            result = Math.Exp(-ax * ax) / ax * (1 / Math.Sqrt(Math.PI) - z * Polynomial(z, LargeTop) / Polynomial(z, LargeBottom));
        }
        return x < 0 ? 2 - result : result;
    }

    /// <summary>Σ cᵢ x^(n−1−i) by Horner's rule (coefficients highest power first).</summary>
    private static double Polynomial(double x, double[] coefficients)
    {
        double sum = 0;
        foreach (var c in coefficients) sum = sum * x + c;
        return sum;
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function (continued fraction, Numerical Recipes §6.4).</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2) ? front * BetaFraction(x, a, b) / a : 1 - front * BetaFraction(1 - x, b, a) / b;
    }

    /// <summary>The x with I_x(a, b) = p, by bisection (60 halvings: below 1e-15 of the unit interval).</summary>
    public static double BetaQuantile(double p, double a, double b)
    {
        if (p <= 0) return 0;
        if (p >= 1) return 1;
        if (p > 0.5) return 1 - BetaQuantile(1 - p, b, a);   // the upper tail through its mirror keeps its precision
        double lo = 0, hi = 1;
        for (int i = 0; i < 60; i++)
        {
            double mid = (lo + hi) / 2;
            if (RegularizedBeta(mid, a, b) < p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7).</summary>
    public static double LogGamma(double x)
    {
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double sum = g[0];
        for (int i = 1; i < 9; i++) sum += g[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 300; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + aa / c; c = Math.Abs(c) < tiny ? tiny : c;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; d = 1 / (Math.Abs(d) < tiny ? tiny : d);
            c = 1 + aa / c; c = Math.Abs(c) < tiny ? tiny : c;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 3e-16) break;
        }
        return h;
    }
}
