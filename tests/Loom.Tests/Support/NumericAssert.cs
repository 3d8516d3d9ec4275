namespace Loom.Tests.Support;

/// <summary>Closeness of scalars, the way numpy's <c>isclose</c> defines it.</summary>
public static class NumericAssert
{
    /// <summary>
    /// |actual − expected| ≤ <paramref name="absolute"/> + <paramref name="relative"/>·|expected|. The absolute part keeps
    /// the check meaningful when the expected value is (near) zero, where a relative tolerance alone demands exact equality.
    /// </summary>
    public static void Close(double expected, double actual, double relative, double absolute)
    {
        Assert.True(relative >= 0 && absolute >= 0, $"tolerances must be non-negative (relative {relative}, absolute {absolute})");
        Assert.False(double.IsNaN(actual), $"expected {expected:R}, got NaN");
        double difference = Math.Abs(actual - expected), allowed = absolute + relative * Math.Abs(expected);
        Assert.True(difference <= allowed,
            $"expected {expected:R}, got {actual:R}: difference {difference:E3} > {allowed:E3} (rel {relative:E1}, abs {absolute:E1})");
    }
}
