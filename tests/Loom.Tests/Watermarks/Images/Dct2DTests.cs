using Loom.Watermarks.Images;
using Xunit;

namespace Loom.Tests.Watermarks.Images;

/// <summary>The separable DCT against the textbook double sum, and its inverse.</summary>
public class Dct2DTests
{
    /// <summary>The orthonormal 2-D DCT-II straight from its definition: four nested loops, no matrices.</summary>
    private static double[] NaiveDct(double[] x, int h, int w)
    {
        var y = new double[h * w];
        for (int u = 0; u < h; u++)
            for (int v = 0; v < w; v++)
            {
                double sum = 0;
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                        sum += x[i * w + j] * Math.Cos(Math.PI * (2 * i + 1) * u / (2.0 * h))
                            * Math.Cos(Math.PI * (2 * j + 1) * v / (2.0 * w));
                y[u * w + v] = sum * Math.Sqrt((u == 0 ? 1.0 : 2.0) / h) * Math.Sqrt((v == 0 ? 1.0 : 2.0) / w);
            }
        return y;
    }

    private static double[] RandomImage(int h, int w, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, h * w).Select(_ => random.NextDouble()).ToArray();
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(28, 20)]
    public void Equals_the_naive_definition_and_inverts(int h, int w)
    {
        var x = RandomImage(h, w, h * 100 + w);
        var fast = Dct2D.Forward(x, h, w);
        var naive = NaiveDct(x, h, w);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(fast[i] - naive[i]) < 1e-5, $"coefficient {i}: {fast[i]} vs {naive[i]}");
        var back = Dct2D.Inverse(fast, h, w);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(back[i] - x[i]) < 1e-9, $"pixel {i}: {back[i]} vs {x[i]}");
        // Orthonormal: the energy is the same in both domains.
        Assert.Equal(x.Sum(v => v * v), fast.Sum(v => v * v), 9);
    }

    [Fact]
    public void A_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Dct2D.Forward(new double[10], 4, 4));
    }
}
