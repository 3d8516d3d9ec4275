using System.Collections.Concurrent;

namespace Loom.Watermarks.Images;

/// <summary>
/// What a key means for an H×W image: the payload bits, the DCT coefficients that carry them (a key-chosen subset of the
/// lowest-frequency AC coefficients), one orthonormal direction per bit in that coefficient space, and each bit's dither
/// (a fraction of the quantisation step). Built from <see cref="KeyedRandom"/> only, so every process agrees.
/// </summary>
internal sealed class WatermarkPattern
{
    private static readonly ConcurrentDictionary<(string Key, int Bits, int Height, int Width), WatermarkPattern> Cache = new();

    private WatermarkPattern(bool[] payload, int[] coefficients, double[][] directions, double[] dither)
    {
        Payload = payload;
        Coefficients = coefficients;
        Directions = directions;
        Dither = dither;
    }

    /// <summary>The bits every marked image carries.</summary>
    public bool[] Payload { get; }

    /// <summary>Indices u·W + v of the carrying coefficients.</summary>
    public int[] Coefficients { get; }

    /// <summary>One unit vector per bit over <see cref="Coefficients"/>, mutually orthogonal.</summary>
    public double[][] Directions { get; }

    /// <summary>Each bit's dither as a fraction of the step, in [0, 1).</summary>
    public double[] Dither { get; }

    /// <summary>The pattern of <paramref name="key"/> for <paramref name="bits"/> bits on an H×W image (cached).</summary>
    public static WatermarkPattern For(string key, int bits, int height, int width) =>
        Cache.GetOrAdd((key, bits, height, width), static k => Build(k.Key, k.Bits, k.Height, k.Width));

    /// <summary>The projection of each direction on the coefficients <paramref name="dct"/> (scaled per coefficient by
    /// <paramref name="gain"/> when given).</summary>
    public double[] Project(ReadOnlySpan<double> dct, double[]? gain = null)
    {
        var projections = new double[Directions.Length];
        for (int j = 0; j < Directions.Length; j++)
        {
            double sum = 0;
            for (int m = 0; m < Coefficients.Length; m++)
                sum += Directions[j][m] * dct[Coefficients[m]] * (gain is null ? 1 : gain[m]);
            projections[j] = sum;
        }
        return projections;
    }

    private static WatermarkPattern Build(string key, int bits, int height, int width)
    {
        var payloadRandom = new KeyedRandom(key, "payload");
        var payload = Enumerable.Range(0, bits).Select(_ => (payloadRandom.NextUInt64() & 1) == 1).ToArray();
        // The band: the lowest ⌈1.25·bits⌉ AC coefficients by normalised frequency; the key picks ⌈1.125·bits⌉ of them.
        int bandSize = (bits * 5 + 3) / 4, used = (bits * 9 + 7) / 8;
        var band = Enumerable.Range(0, height * width).Where(i => i != 0)
            .OrderBy(i => Radius(i / width, height, i % width, width)).ThenBy(i => i).Take(bandSize).ToArray();
        var pick = new KeyedRandom(key, $"coefficients/{height}x{width}/{bits}");
        for (int i = 0; i < used; i++)
        {
            int j = i + pick.NextInt(band.Length - i);
            (band[i], band[j]) = (band[j], band[i]);
        }
        var coefficients = band.Take(used).Order().ToArray();
        var directions = Orthonormal(new KeyedRandom(key, $"directions/{height}x{width}/{bits}"), bits, used);
        var ditherRandom = new KeyedRandom(key, $"dither/{bits}");
        var dither = Enumerable.Range(0, bits).Select(_ => ditherRandom.NextDouble()).ToArray();
        return new WatermarkPattern(payload, coefficients, directions, dither);
    }

    private static double Radius(int u, int height, int v, int width) =>
        (double)u * u / ((double)height * height) + (double)v * v / ((double)width * width);

    /// <summary><paramref name="count"/> Gaussian vectors of length <paramref name="size"/>, made orthonormal by modified
    /// Gram–Schmidt.</summary>
    private static double[][] Orthonormal(KeyedRandom random, int count, int size)
    {
        var vectors = new double[count][];
        for (int j = 0; j < count; j++)
        {
            var v = new double[size];
            for (int m = 0; m < size; m++) v[m] = random.NextGaussian();
            for (int i = 0; i < j; i++)
            {
                double dot = 0;
                for (int m = 0; m < size; m++) dot += v[m] * vectors[i][m];
                for (int m = 0; m < size; m++) v[m] -= dot * vectors[i][m];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int m = 0; m < size; m++) v[m] /= norm;
            vectors[j] = v;
        }
        return vectors;
    }
}
