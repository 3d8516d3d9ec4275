namespace Loom.Audio;

/// <summary>
/// μ-law companding with 256 levels as WaveNet uses it (the continuous G.711-style formula, μ = 255):
/// f(x) = sign(x)·ln(1 + μ|x|)/ln(1 + μ) maps [−1, 1] onto [−1, 1], then 256 equal bins; decoding takes a bin's
/// centre through the inverse, sign(y)·((1 + μ)^|y| − 1)/μ.
/// </summary>
public static class MuLaw
{
    /// <summary>The number of levels.</summary>
    public const int Levels = 256;

    /// <summary>μ.</summary>
    public const double Mu = Levels - 1;

    /// <summary>The level (0..255) of a sample in [−1, 1] (clipped first).</summary>
    public static int Encode(double sample)
    {
        double x = Math.Clamp(sample, -1, 1);
        double y = Math.Sign(x) * Math.Log(1 + Mu * Math.Abs(x)) / Math.Log(1 + Mu);
        return (int)Math.Clamp(Math.Floor((y + 1) / 2 * Mu + 0.5), 0, Mu);
    }

    /// <summary>The sample in [−1, 1] a level stands for.</summary>
    public static float Decode(int level)
    {
        double y = 2.0 * Math.Clamp(level, 0, Levels - 1) / Mu - 1;
        return (float)(Math.Sign(y) * (Math.Pow(1 + Mu, Math.Abs(y)) - 1) / Mu);
    }

    /// <summary>Encodes every sample.</summary>
    public static byte[] Encode(ReadOnlySpan<float> samples)
    {
        var levels = new byte[samples.Length];
        for (int i = 0; i < samples.Length; i++)
            levels[i] = (byte)Encode(samples[i]);
        return levels;
    }

    /// <summary>Decodes every level.</summary>
    public static float[] Decode(ReadOnlySpan<byte> levels)
    {
        var samples = new float[levels.Length];
        for (int i = 0; i < levels.Length; i++)
            samples[i] = Decode(levels[i]);
        return samples;
    }
}
