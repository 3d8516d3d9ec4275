using Loom.Core;

namespace Loom.Audio;

/// <summary>
/// Band-limited resampling by windowed-sinc interpolation: each output sample at input time t = i·from/to is
/// Σ_k x[k]·c·sinc(c·(t − k))·w(t − k) with cut-off c = min(1, to/from) (of the input's Nyquist, so a down-sampling
/// first low-passes below the new Nyquist) and a Blackman window w over ±<see cref="Zeros"/>/c input samples; samples
/// outside the clip count as zero.
/// </summary>
public static class Resampler
{
    /// <summary>Zero crossings of the sinc on each side of the window.</summary>
    public const int Zeros = 16;

    /// <summary>The clip at <paramref name="rate"/> Hz (the same clip when the rate is already that).</summary>
    public static AudioClip Resample(AudioClip clip, int rate)
    {
        clip.Validate();
        if (rate is < 1 or > 1_000_000) throw LoomUsageException.ForOption("SampleRate", $"must be 1 to 1000000 Hz, got {rate}");
        if (rate == clip.SampleRate) return clip;
        var x = clip.Samples;
        double ratio = (double)clip.SampleRate / rate;
        double cutoff = Math.Min(1.0, (double)rate / clip.SampleRate);
        double half = Zeros / cutoff;
        int count = (int)Math.Floor((long)x.Length * (double)rate / clip.SampleRate);
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            double t = i * ratio;
            int first = Math.Max(0, (int)Math.Ceiling(t - half)), last = Math.Min(x.Length - 1, (int)Math.Floor(t + half));
            double sum = 0;
            for (int k = first; k <= last; k++)
            {
                double d = t - k;
                sum += x[k] * cutoff * Sinc(cutoff * d) * Blackman(d / half);
            }
            y[i] = (float)sum;
        }
        return new AudioClip(y, rate);
    }

    private static double Sinc(double x) => Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Blackman window on u ∈ [−1, 1] (1 at the centre, 0 at the ends).</summary>
    private static double Blackman(double u) =>
        Math.Abs(u) >= 1 ? 0 : 0.42 + 0.5 * Math.Cos(Math.PI * u) + 0.08 * Math.Cos(2 * Math.PI * u);
}
