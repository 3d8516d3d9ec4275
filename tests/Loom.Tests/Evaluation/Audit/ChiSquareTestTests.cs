using Loom.Evaluation.Audit;

namespace Loom.Tests.Evaluation.Audit;

public class ChiSquareTestTests
{
    /// <summary>For even degrees of freedom the χ² upper tail has a closed form: e^(−x/2) Σ_{k &lt; df/2} (x/2)^k / k!.</summary>
    private static double EvenTail(double x, int df)
    {
        double sum = 0, term = 1;
        for (int k = 0; k < df / 2; k++)
        {
            if (k > 0) term *= x / 2 / k;
            sum += term;
        }
        return Math.Exp(-x / 2) * sum;
    }

    [Theory]
    [InlineData(0.3, 2)]
    [InlineData(2.5, 2)]
    [InlineData(4.0, 4)]
    [InlineData(18.307038053275146, 10)]
    [InlineData(60.0, 10)]
    [InlineData(7.0, 18)]
    public void UpperTailMatchesTheClosedFormForEvenDegrees(double x, int df) =>
        Assert.Equal(EvenTail(x, df), ChiSquareTest.UpperTail(x, df), 1e-12);

    [Theory]
    [InlineData(3.841458820694124, 1)]   // the 5% critical values of the χ² tables
    [InlineData(7.814727903251178, 3)]
    [InlineData(11.070497693516351, 5)]
    public void UpperTailGivesFivePercentAtTheTabulatedCriticalValues(double x, int df) =>
        Assert.Equal(0.05, ChiSquareTest.UpperTail(x, df), 1e-10);

    [Fact]
    public void GoodnessOfFitComputesPearsonsStatistic()
    {
        var (statistic, df, p) = ChiSquareTest.GoodnessOfFit([30, 50, 20], [0.25, 0.5, 0.25]);
        // (30−25)²/25 + (50−50)²/50 + (20−25)²/25 = 2
        Assert.Equal(2.0, statistic, 12);
        Assert.Equal(2, df);
        Assert.Equal(Math.Exp(-1), p, 12);
    }

    [Fact]
    public void ACountInAClassWithNoExpectedShareIsImpossible()
    {
        var (statistic, _, p) = ChiSquareTest.GoodnessOfFit([5, 1], [1.0, 0.0]);
        Assert.True(double.IsPositiveInfinity(statistic));
        Assert.Equal(0, p);
    }
}
