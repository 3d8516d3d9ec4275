namespace Loom.Watermarks.Images;

/// <summary>
/// The dithered scalar lattice of dither modulation: bit b's points are step·(k + dither + b/2) for integer k, so the two
/// bits' points interleave at half a step. Reading a bit needs no host image: it is the parity of the nearest point.
/// </summary>
internal static class Lattice
{
    /// <summary>The point of bit <paramref name="bit"/> nearest to <paramref name="value"/>.</summary>
    public static double Nearest(double value, bool bit, double dither, double step)
    {
        double offset = step * (dither + (bit ? 0.5 : 0));
        return step * Math.Round((value - offset) / step) + offset;
    }

    /// <summary>The bit of the point nearest to <paramref name="value"/>.</summary>
    public static bool Read(double value, double dither, double step)
    {
        long half = (long)Math.Round((value - step * dither) / (step / 2));
        return (half & 1) == 1;
    }
}
