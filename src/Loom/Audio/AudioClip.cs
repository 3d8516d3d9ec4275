using Loom.Core;

namespace Loom.Audio;

/// <summary>
/// A mono audio clip: samples as floats in [−1, 1] (16-bit PCM divided by 32768) and the sample rate in Hz.
/// </summary>
/// <param name="Samples">The waveform, one float per sample.</param>
/// <param name="SampleRate">Samples per second.</param>
public sealed record AudioClip(float[] Samples, int SampleRate)
{
    /// <summary>Length in seconds.</summary>
    public double Seconds => (double)Samples.Length / SampleRate;

    /// <summary>Throws a usage error unless the sample rate is 1 Hz to 1 MHz.</summary>
    public void Validate()
    {
        if (SampleRate is < 1 or > 1_000_000)
            throw LoomUsageException.ForOption(nameof(SampleRate), $"must be 1 to 1000000 Hz, got {SampleRate}");
    }
}
