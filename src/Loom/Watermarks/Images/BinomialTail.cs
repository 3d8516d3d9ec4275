namespace Loom.Watermarks.Images;

/// <summary>Upper tails of the fair-coin binomial distribution: how often chance alone matches k of n bits.</summary>
public static class BinomialTail
{
    /// <summary>P(X ≥ <paramref name="k"/>) for X ~ Binomial(<paramref name="n"/>, 1/2); n ≤ 1000.</summary>
    public static double AtLeast(int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 1000);
        if (k <= 0) return 1;
        if (k > n) return 0;
        // log C(n, j) - n log 2, summed from the top so the small terms come first.
        double logHalfN = n * Math.Log(0.5);
        double sum = 0;
        for (int j = n; j >= k; j--)
            sum += Math.Exp(LogChoose(n, j) + logHalfN);
        return Math.Min(1, sum);
    }

    /// <summary>The fewest matching bits of <paramref name="n"/> whose tail, times <paramref name="tries"/> (a search over
    /// that many alignments), is at most <paramref name="falsePositiveRate"/>; n + 1 when even n is not rare enough.</summary>
    public static int Threshold(int n, double falsePositiveRate, int tries = 1)
    {
        for (int k = 0; k <= n; k++)
            if (tries * AtLeast(k, n) <= falsePositiveRate)
                return k;
        return n + 1;
    }

    private static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (int i = 1; i <= k; i++)
            sum += Math.Log(n - k + i) - Math.Log(i);
        return sum;
    }
}
