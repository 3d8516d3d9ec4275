using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>Two 2-D histograms on a shared grid and their total-variation distance ½ Σ |p − q|.</summary>
public sealed record Histogram2DResult(double[,] Real, double[,] Generated, double TotalVariation, double XMin,
    double XMax, double YMin, double YMax);

/// <summary>2-D histograms for 2-D data (toy sets): a number you can track and a picture you can look at.</summary>
public static class Histogram2D
{
    /// <summary>Bins both sets on a <paramref name="bins"/>² grid spanning the real data's 0.5–99.5 percentile box (widened by
    /// 10%).</summary>
    public static Histogram2DResult Compute(Tensor real, Tensor fake, int bins = 40)
    {
        FeatureChecks.RequireSameDim(real, fake, "real", "generated");
        if (real.shape[1] != 2)
            throw new Core.LoomDataException($"2-D histograms need 2-D data, got {real.shape[1]} dimensions");
        var r = ToArray(real);
        var f = ToArray(fake);
        var (x0, x1) = Range(r.Select(p => p.X).ToArray());
        var (y0, y1) = Range(r.Select(p => p.Y).ToArray());
        var hr = Bin(r, bins, x0, x1, y0, y1);
        var hf = Bin(f, bins, x0, x1, y0, y1);
        double tv = 0;
        for (int i = 0; i < bins; i++)
            for (int j = 0; j < bins; j++)
                tv += Math.Abs(hr[i, j] - hf[i, j]);
        return new Histogram2DResult(hr, hf, tv / 2, x0, x1, y0, y1);
    }

    private static (double X, double Y)[] ToArray(Tensor t)
    {
        using var d = t.to(ScalarType.Float64, CPU).contiguous();
        var v = d.data<double>().ToArray();
        return Enumerable.Range(0, v.Length / 2).Select(i => (v[2 * i], v[2 * i + 1])).ToArray();
    }

    private static (double Lo, double Hi) Range(double[] values)
    {
        var sorted = values.Order().ToArray();
        double lo = sorted[(int)(0.005 * (sorted.Length - 1))], hi = sorted[(int)(0.995 * (sorted.Length - 1))];
        double pad = Math.Max(1e-9, (hi - lo) * 0.1);
        return (lo - pad, hi + pad);
    }

    /// <summary>Normalized counts; points outside the grid go to the edge bins so both histograms sum to 1.</summary>
    private static double[,] Bin((double X, double Y)[] points, int bins, double x0, double x1, double y0, double y1)
    {
        var h = new double[bins, bins];
        foreach (var (x, y) in points)
        {
            int i = Math.Clamp((int)((x - x0) / (x1 - x0) * bins), 0, bins - 1);
            int j = Math.Clamp((int)((y - y0) / (y1 - y0) * bins), 0, bins - 1);
            h[i, j] += 1.0 / points.Length;
        }
        return h;
    }
}
