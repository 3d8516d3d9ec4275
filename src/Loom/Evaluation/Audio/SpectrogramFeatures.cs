using Loom.Audio;
using Loom.Core;

namespace Loom.Evaluation.Audio;

/// <summary>
/// A fixed-length description of a clip for a small classifier: the clip without its leading and trailing silence
/// (<see cref="Trim"/>), its log-magnitude <see cref="Spectrogram"/> averaged into <see cref="Bands"/> mel-spaced
/// frequency bands and <see cref="Segments"/> equal stretches of time, minus the clip's mean (so loudness does not
/// matter). <see cref="Extract"/> returns <see cref="Length"/> = bands × segments values, band-major within a segment.
/// </summary>
/// <param name="Bands">Mel-spaced frequency bands between the first bin above 0 Hz and the Nyquist frequency.</param>
/// <param name="Segments">Equal stretches of the trimmed clip's frames, each averaged.</param>
public sealed record SpectrogramFeatures(int Bands = 20, int Segments = 12)
{
    /// <summary>The short-time Fourier transform behind the features (256-sample frames every 64 samples).</summary>
    public Spectrogram Spectrogram { get; init; } = new();

    /// <summary>The silence cut before the spectrogram.</summary>
    public SilenceTrim Trim { get; init; } = new();

    /// <summary>Values per clip.</summary>
    public int Length => Bands * Segments;

    /// <summary>Throws a usage error naming a bad band or segment count.</summary>
    public void Validate()
    {
        Spectrogram.Validate();
        if (Bands < 1 || Bands > Spectrogram.Bins - 1)
            throw LoomUsageException.ForOption(
                nameof(Bands), $"must be 1 to {Spectrogram.Bins - 1} (the spectrogram's bins above 0 Hz), got {Bands}");
        if (Segments < 1) throw LoomUsageException.ForOption(nameof(Segments), $"must be at least 1, got {Segments}");
    }

    /// <summary>The features of one clip (any sample rate: the bands are placed by frequency).</summary>
    public double[] Extract(AudioClip clip)
    {
        Validate();
        clip.Validate();
        var frames = Spectrogram.Compute(Trim.Apply(clip).Samples);
        var edges = BandEdges(clip.SampleRate);
        var features = new double[Length];
        for (int s = 0; s < Segments; s++)
        {
            int first = s * frames.Length / Segments, end = Math.Max(first + 1, (s + 1) * frames.Length / Segments);
            first = Math.Min(first, frames.Length - 1);
            end = Math.Min(end, frames.Length);
            for (int b = 0; b < Bands; b++)
            {
                double sum = 0;
                for (int f = first; f < end; f++)
                    for (int k = edges[b]; k < edges[b + 1]; k++) sum += frames[f][k];
                features[s * Bands + b] = sum / ((end - first) * (edges[b + 1] - edges[b]));
            }
        }
        double mean = features.Average();
        for (int i = 0; i < features.Length; i++) features[i] -= mean;
        return features;
    }

    /// <summary>Bin boundaries of the bands: equal steps of mel(f) = 2595·log10(1 + f/700), each band at least one bin.</summary>
    private int[] BandEdges(int sampleRate)
    {
        int bins = Spectrogram.Bins;
        static double Mel(double hz) => 2595 * Math.Log10(1 + hz / 700);
        double binHz = (double)sampleRate / Spectrogram.FrameLength, low = Mel(binHz), high = Mel(sampleRate / 2.0);
        var edges = new int[Bands + 1];
        edges[0] = 1;
        for (int b = 1; b <= Bands; b++)
        {
            double hz = 700 * (Math.Pow(10, (low + (high - low) * b / Bands) / 2595) - 1);
            int bin = b == Bands ? bins : (int)Math.Round(hz / binHz);
            edges[b] = Math.Clamp(bin, edges[b - 1] + 1, bins - (Bands - b));
        }
        return edges;
    }
}
