namespace Loom.Text.Watermarks;

/// <summary>The upper tail of the standard normal distribution, for watermark p-values.</summary>
public static class NormalTail
{
    /// <summary>P(Z ≥ <paramref name="z"/>) for a standard normal Z, with relative error below 2e-7.</summary>
    public static double Upper(double z) => double.IsNaN(z) ? double.NaN : 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>The complementary error function (Chebyshev fit of Press et al., Numerical Recipes §6.2).</summary>
    private static double Erfc(double x)
    {
        double a = Math.Abs(x), t = 1 / (1 + 0.5 * a);
        double poly = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double tail = t * Math.Exp(poly);
        return x >= 0 ? tail : 2 - tail;
    }
}
