namespace Loom.Privacy;

/// <summary>
/// Arithmetic on numbers stored as their natural logarithms, and the log of the complementary error function, for the
/// RDP sums whose terms under- or overflow a double when taken directly.
/// </summary>
public static class LogSpace
{
    /// <summary>log(e^a + e^b).</summary>
    public static double Add(double a, double b)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b);
        if (double.IsNegativeInfinity(lo)) return hi;
        return hi + LogOnePlus(Math.Exp(lo - hi));
    }

    /// <summary>log(e^a − e^b) for a ≥ b; −∞ when they are equal.</summary>
    public static double Subtract(double a, double b)
    {
        if (a < b) throw new ArgumentException($"log-space subtraction would be negative: {a} < {b}");
        if (double.IsNegativeInfinity(b)) return a;
        if (a == b) return double.NegativeInfinity;
        double d = a - b;
        // log(e^d − 1) + b; for large d, e^d − 1 overflows or rounds to e^d.
        return d > 700 ? a : Math.Log(ExpMinusOne(d)) + b;
    }

    private static double LogOnePlus(double x) => Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 : Math.Log(1 + x);

    private static double ExpMinusOne(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    /// <summary>log(erfc(x)), accurate far into both tails.</summary>
    public static double LogErfc(double x)
    {
        if (x >= 2.5)
            return -x * x + Math.Log(ScaledErfcTail(x));
        if (x <= -2.5)
            return Math.Log(2 - Math.Exp(-x * x) * ScaledErfcTail(-x));
        return Math.Log(1 - ErfSeries(x));
    }

    /// <summary>erf(x) from its Maclaurin series; used for |x| &lt; 2.5, where the terms stay small enough.</summary>
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++)
        {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <summary>e^{x²}·erfc(x) for x ≥ 2.5 from the continued fraction
    /// erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated with the modified Lentz method.</summary>
    private static double ScaledErfcTail(double x)
    {
        const double Tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 5000; k++)
        {
            double a = k / 2.0;
            d = x + a * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = x + a / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return 1 / (Math.Sqrt(Math.PI) * f);
    }
}
