using Loom.Audio;
using Loom.Core;
using Loom.Evaluation.Audio;

namespace Loom.Tests.Evaluation.Audio;

/// <summary>
/// The classifier's features: a tone lands in the band that holds its frequency, in every segment; extra silence around a
/// clip does not change them and loudness barely does (the log's floor and float32 rounding); a clip shorter than a frame
/// still gives every value; bad counts are typed errors naming the option.
/// </summary>
public class SpectrogramFeaturesTests
{
    /// <summary>A tone over seeded noise at 5% of its amplitude (so every band is well above the log's floor).</summary>
    private static AudioClip Tone(double hz, int n, double amplitude = 0.5, int silence = 0)
    {
        var noise = new Random(7);
        return new(Enumerable.Range(0, n + 2 * silence).Select(i => i < silence || i >= n + silence ? 0f
            : (float)(amplitude * (Math.Sin(2 * Math.PI * hz * (i - silence) / 8000) + 0.05 * (noise.NextDouble() - 0.5))))
            .ToArray(), 8000);
    }

    [Fact]
    public void AToneIsLoudestInTheBandThatHoldsItsFrequencyInEverySegment()
    {
        var features = new SpectrogramFeatures(Bands: 8, Segments: 4);
        // Band edges by hand from the mel formula: 1 kHz lies in band 3 of 8 between 31.25 Hz and 4 kHz.
        double Mel(double hz) => 2595 * Math.Log10(1 + hz / 700);
        double low = Mel(8000.0 / 256), high = Mel(4000);
        int expected = (int)Math.Floor((Mel(1000) - low) / (high - low) * 8);
        var x = features.Extract(Tone(1000, 4000));
        Assert.Equal(32, x.Length);
        for (int s = 0; s < 4; s++)
        {
            var segment = x[(s * 8)..((s + 1) * 8)];
            Assert.Equal(expected, Array.IndexOf(segment, segment.Max()));
        }
    }

    [Fact]
    public void LoudnessAndExtraSilenceDoNotChangeTheFeatures()
    {
        var features = new SpectrogramFeatures();
        var x = features.Extract(Tone(700, 3000, 0.5, silence: 200));
        var quieter = features.Extract(Tone(700, 3000, 0.05, silence: 200));
        var padded = features.Extract(Tone(700, 3000, 0.5, silence: 900));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(quieter[i], x[i] - 0.01, x[i] + 0.01);
            Assert.Equal(x[i], padded[i], 9);
        }
    }

    [Fact]
    public void AClipShorterThanOneFrameGivesEveryValue()
    {
        var x = new SpectrogramFeatures().Extract(Tone(500, 100));
        Assert.Equal(240, x.Length);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void BadCountsNameTheOption()
    {
        var clip = Tone(500, 1000);
        Assert.Equal("Bands", Assert.Throws<LoomUsageException>(() => new SpectrogramFeatures(Bands: 0).Extract(clip)).Option);
        Assert.Equal("Bands", Assert.Throws<LoomUsageException>(() => new SpectrogramFeatures(Bands: 129).Extract(clip)).Option);
        Assert.Equal("Segments", Assert.Throws<LoomUsageException>(() => new SpectrogramFeatures(Segments: 0).Extract(clip)).Option);
    }
}
