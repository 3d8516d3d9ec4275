using System.Collections.Concurrent;

namespace Loom.Watermarks.Images;

/// <summary>
/// The orthonormal 2-D DCT-II of an H×W array (row-major), computed as two matrix products C_H · X · C_Wᵀ; the inverse
/// (DCT-III) is C_Hᵀ · Y · C_W. Orthonormal, so energy (and Gaussian noise) is the same in both domains.
/// </summary>
public static class Dct2D
{
    private static readonly ConcurrentDictionary<int, double[]> Matrices = new();

    /// <summary>The n×n orthonormal DCT-II matrix, row-major: entry (k, i) = s(k) cos(π (2i + 1) k / 2n).</summary>
    public static double[] Matrix(int n) => Matrices.GetOrAdd(n, static size =>
    {
        var m = new double[size * size];
        for (int k = 0; k < size; k++)
        {
            double scale = Math.Sqrt((k == 0 ? 1.0 : 2.0) / size);
            for (int i = 0; i < size; i++)
                m[k * size + i] = scale * Math.Cos(Math.PI * (2 * i + 1) * k / (2.0 * size));
        }
        return m;
    });

    /// <summary>The DCT coefficients of <paramref name="pixels"/> (H×W, row-major); coefficient (u, v) at u·W + v.</summary>
    public static double[] Forward(ReadOnlySpan<double> pixels, int height, int width) =>
        Transform(pixels, height, width, inverse: false);

    /// <summary>The pixels whose DCT is <paramref name="coefficients"/> (H×W, row-major).</summary>
    public static double[] Inverse(ReadOnlySpan<double> coefficients, int height, int width) =>
        Transform(coefficients, height, width, inverse: true);

    private static double[] Transform(ReadOnlySpan<double> x, int height, int width, bool inverse)
    {
        if (x.Length != height * width)
            throw new ArgumentException($"expected {height}×{width} values, got {x.Length}", nameof(x));
        var ch = Matrix(height);
        var cw = Matrix(width);
        // Rows first: t = x · C_Wᵀ (forward) or x · C_W (inverse); then columns: C_H · t or C_Hᵀ · t.
        var t = new double[height * width];
        for (int r = 0; r < height; r++)
            for (int k = 0; k < width; k++)
            {
                double sum = 0;
                for (int i = 0; i < width; i++)
                    sum += x[r * width + i] * (inverse ? cw[i * width + k] : cw[k * width + i]);
                t[r * width + k] = sum;
            }
        var y = new double[height * width];
        for (int k = 0; k < height; k++)
            for (int i = 0; i < height; i++)
            {
                double m = inverse ? ch[i * height + k] : ch[k * height + i];
                if (m == 0) continue;
                for (int c = 0; c < width; c++)
                    y[k * width + c] += m * t[i * width + c];
            }
        return y;
    }
}
