using System.Numerics;
using Loom.Watermarks.Images;
using Xunit;

namespace Loom.Tests.Watermarks.Images;

/// <summary>The fair-coin tail against exact big-integer counting, and the threshold it gives.</summary>
public class BinomialTailTests
{
    private static double ExactTail(int k, int n)
    {
        BigInteger count = 0, choose = 1;
        for (int j = 0; j <= n; j++)
        {
            if (j >= k) count += choose;
            choose = choose * (n - j) / (j + 1);
        }
        return (double)count / Math.Pow(2, n);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void Matches_exact_counting(int n)
    {
        for (int k = 0; k <= n + 1; k++)
        {
            double exact = ExactTail(k, n), tail = BinomialTail.AtLeast(k, n);
            Assert.True(Math.Abs(tail - exact) <= 1e-12 + 1e-9 * exact, $"k {k}: {tail} vs {exact}");
        }
    }

    [Theory]
    [InlineData(1e-3, 1)]
    [InlineData(1e-3, 5)]
    [InlineData(1e-6, 5)]
    public void The_threshold_is_the_first_count_rare_enough_after_the_search(double rate, int tries)
    {
        int k = BinomialTail.Threshold(32, rate, tries);
        Assert.True(tries * ExactTail(k, 32) <= rate);
        Assert.True(tries * ExactTail(k - 1, 32) > rate);
    }
}
