using Loom.Audio;
using Loom.Tests.Support;

namespace Loom.Tests.Audio;

/// <summary>
/// Band-limited resampling: a tone below the new Nyquist keeps its amplitude and frequency; a tone above it is removed
/// (nearest-neighbour or linear decimation would alias it down into the band); the spectrogram PNG is written.
/// </summary>
public class ResamplerTests
{
    private static AudioClip Tone(double hz, int rate, int n, double amplitude = 0.5) =>
        new(Enumerable.Range(0, n).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate))).ToArray(), rate);

    private static double Rms(float[] x, int from, int to) => Math.Sqrt(x[from..to].Select(v => (double)v * v).Average());

    [Fact]
    public void APassbandToneSurvivesDownsampling()
    {
        var y = Resampler.Resample(Tone(500, 16000, 16000), 8000);
        Assert.Equal(8000, y.SampleRate);
        Assert.Equal(8000, y.Samples.Length);
        var expected = Tone(500, 8000, 8000);
        // Away from the edges (where the window meets the clip's zero padding), sample by sample.
        for (int i = 200; i < 7800; i++)
            Assert.Equal(expected.Samples[i], y.Samples[i], 2);
    }

    [Fact]
    public void AToneAboveTheNewNyquistIsRemovedNotAliased()
    {
        var y = Resampler.Resample(Tone(6000, 16000, 16000), 8000);
        Assert.True(Rms(y.Samples, 200, 7800) < 0.01, $"rms {Rms(y.Samples, 200, 7800)}: the 6 kHz tone aliased");
        // Picking every other sample (nearest neighbour) keeps it at full strength as a 2 kHz alias.
        var naive = Tone(6000, 16000, 16000).Samples.Where((_, i) => i % 2 == 0).ToArray();
        Assert.True(Rms(naive, 200, 7800) > 0.3);
    }

    [Fact]
    public void UpsamplingInterpolatesTheTone()
    {
        var y = Resampler.Resample(Tone(300, 8000, 4000), 22050);
        var expected = Tone(300, 22050, y.Samples.Length);
        for (int i = 600; i < y.Samples.Length - 600; i++)
            Assert.Equal(expected.Samples[i], y.Samples[i], 2);
    }

    [Fact]
    public void TheSpectrogramPeaksAtTheTonesBinAndWritesAPng()
    {
        var clip = Tone(1000, 8000, 4000);
        var s = new Spectrogram(256, 64).Compute(clip.Samples);
        Assert.Equal(129, s[0].Length);
        Assert.Equal(1 + (4000 - 256 + 63) / 64, s.Length);
        int peak = Array.IndexOf(s[10], s[10].Max());
        Assert.Equal(32, peak);   // 1000 Hz · 256 / 8000
        using var temp = new TempFolder();
        SpectrogramPng.Write(temp.File("s.png"), clip);
        using var image = Loom.IO.Images.Png.ReadBytes(temp.File("s.png"));
        Assert.Equal([3L, 129, s.Length], image.shape);
    }
}
