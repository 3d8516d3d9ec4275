using Loom.Core;

namespace Loom.Audio;

/// <summary>
/// The short-time Fourier transform's log magnitude: frames of <see cref="FrameLength"/> samples every
/// <see cref="Hop"/> samples, each under a periodic Hann window (the clip zero-padded to at least one frame), and
/// log(ε + |X_k|) for the bins k = 0 … frame/2. <see cref="Compute"/> returns [frames, bins].
/// </summary>
/// <param name="FrameLength">Samples per frame (at least 8).</param>
/// <param name="Hop">Samples between frame starts (at least 1).</param>
public sealed record Spectrogram(int FrameLength = 256, int Hop = 64)
{
    /// <summary>Magnitudes are floored at this before the log.</summary>
    public const double Floor = 1e-5;

    /// <summary>Frequency bins per frame.</summary>
    public int Bins => FrameLength / 2 + 1;

    /// <summary>Throws a usage error naming a bad frame length or hop.</summary>
    public void Validate()
    {
        if (FrameLength is < 8 or > 65536)
            throw new LoomUsageException($"spectrogram frame length must be 8 to 65536 samples, got {FrameLength}");
        if (Hop < 1) throw new LoomUsageException($"spectrogram hop must be at least 1 sample, got {Hop}");
    }

    /// <summary>The log-magnitude spectrogram [frames][bins] of <paramref name="samples"/>.</summary>
    public double[][] Compute(ReadOnlySpan<float> samples)
    {
        Validate();
        int n = FrameLength, bins = Bins;
        int frames = samples.Length <= n ? 1 : 1 + (samples.Length - n + Hop - 1) / Hop;
        var window = new double[n];
        for (int i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n);
        var cos = new double[n];
        var sin = new double[n];
        for (int i = 0; i < n; i++)
        {
            cos[i] = Math.Cos(2 * Math.PI * i / n);
            sin[i] = Math.Sin(2 * Math.PI * i / n);
        }
        var result = new double[frames][];
        var frame = new double[n];
        for (int f = 0; f < frames; f++)
        {
            int start = f * Hop;
            for (int i = 0; i < n; i++) frame[i] = start + i < samples.Length ? samples[start + i] * window[i] : 0;
            var row = new double[bins];
            for (int k = 0; k < bins; k++)
            {
                double re = 0, im = 0;
                for (int i = 0, phase = 0; i < n; i++, phase = (phase + k) % n)
                {
                    re += frame[i] * cos[phase];
                    im -= frame[i] * sin[phase];
                }
                row[k] = Math.Log(Floor + Math.Sqrt(re * re + im * im));
            }
            result[f] = row;
        }
        return result;
    }
}
