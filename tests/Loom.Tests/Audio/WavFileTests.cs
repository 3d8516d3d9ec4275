using System.Globalization;
using Loom.Audio;
using Loom.Core;
using Loom.Tests.Support;

namespace Loom.Tests.Audio;

/// <summary>WAV round trips, and agreement with sox in both directions: sox's files read by Loom, Loom's files read by sox.</summary>
public class WavFileTests
{
    private static AudioClip Noise(int n, int rate, int seed)
    {
        var random = new Random(seed);
        return new AudioClip(Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 1.6 - 0.8)).ToArray(), rate);
    }

    [Fact]
    public void AClipRoundTripsToTheNearest16BitLevel()
    {
        using var temp = new TempFolder();
        var clip = Noise(1001, 11025, 1);
        WavFile.Write(temp.File("a.wav"), clip);
        var back = WavFile.Read(temp.File("a.wav"));
        Assert.Equal(11025, back.SampleRate);
        Assert.Equal(clip.Samples.Length, back.Samples.Length);
        for (int i = 0; i < clip.Samples.Length; i++)
            Assert.Equal(WavFile.ToPcm(clip.Samples[i]) / 32768f, back.Samples[i]);
        Assert.Equal(44 + 2 * 1001, new FileInfo(temp.File("a.wav")).Length);
    }

    [Fact]
    public void SoxReadsLoomsFiles()
    {
        using var temp = new TempFolder();
        var clip = Noise(800, 8000, 2);
        WavFile.Write(temp.File("b.wav"), clip);
        var info = SoxPeer.Run("--i", temp.File("b.wav"));
        Assert.Matches(@"Channels\s*:\s*1", info);
        Assert.Matches(@"Sample Rate\s*:\s*8000", info);
        Assert.Matches(@"Precision\s*:\s*16-bit", info);
        Assert.Contains("800 samples", info);
        var stat = SoxPeer.Run(temp.File("b.wav"), "-n", "stat");
        double max = Stat(stat, "Maximum amplitude"), min = Stat(stat, "Minimum amplitude");
        Assert.Equal(clip.Samples.Max(s => WavFile.ToPcm(s) / 32768.0), max, 4);
        Assert.Equal(clip.Samples.Min(s => WavFile.ToPcm(s) / 32768.0), min, 4);
    }

    [Theory]
    [InlineData("three")]   // odd length with its NUL: no pad byte
    [InlineData("four")]    // even text, odd tag size: one pad byte
    [InlineData("fünf")]
    public void ATitleRidesInAnInfoChunkThatOtherReadersSkip(string title)
    {
        using var temp = new TempFolder();
        var clip = Noise(500, 8000, 3);
        WavFile.Write(temp.File("t.wav"), clip, title);
        WavFile.Write(temp.File("plain.wav"), clip);
        Assert.Equal(title, WavFile.ReadTitle(temp.File("t.wav")));
        Assert.Null(WavFile.ReadTitle(temp.File("plain.wav")));
        Assert.Equal(WavFile.Read(temp.File("plain.wav")).Samples, WavFile.Read(temp.File("t.wav")).Samples);
        long size = new FileInfo(temp.File("t.wav")).Length;
        Assert.Equal(0, size % 2);   // RIFF chunks are word-aligned
        var bytes = File.ReadAllBytes(temp.File("t.wav"));
        Assert.Equal(size - 8, BitConverter.ToUInt32(bytes, 4));   // the RIFF size covers the INFO chunk
        Assert.Contains("500 samples", SoxPeer.Run("--i", temp.File("t.wav")));
    }

    [Fact]
    public void LoomReadsSoxsFilesSampleForSample()
    {
        using var temp = new TempFolder();
        SoxPeer.Run("-n", "-r", "16000", "-b", "16", "-c", "1", temp.File("tone.wav"), "synth", "0.05", "sine", "440", "vol", "0.5");
        var clip = WavFile.Read(temp.File("tone.wav"));
        Assert.Equal(16000, clip.SampleRate);
        Assert.Equal(800, clip.Samples.Length);
        // sox's own text dump of the same file: time and value per line, values in [−1, 1).
        var dat = SoxPeer.Run(temp.File("tone.wav"), "-t", "dat", "-");
        var values = dat.Split('\n').Where(l => l.Length > 0 && l.TrimStart()[0] != ';')
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(clip.Samples.Length, values.Length);
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(values[i], clip.Samples[i], 6);
        Assert.True(clip.Samples.Max() > 0.45);
    }

    [Theory]
    [InlineData("-c", "2", "-b", "16", "2 channel")]
    [InlineData("-c", "1", "-b", "8", "8-bit")]
    public void OtherFormatsAreRefusedInOneLine(string channelsFlag, string channels, string bitsFlag, string bits, string expected)
    {
        using var temp = new TempFolder();
        SoxPeer.Run("-n", "-r", "8000", bitsFlag, bits, channelsFlag, channels, temp.File("x.wav"), "synth", "0.01", "sine", "300");
        var error = Assert.Throws<LoomDataException>(() => WavFile.Read(temp.File("x.wav")));
        Assert.Contains(expected.Split(' ')[0], error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("16-bit PCM mono", error.Message);
        Assert.Throws<LoomDataException>(() => WavFile.Read(new byte[] { 1, 2, 3 }, "junk"));
    }

    private static double Stat(string text, string name)
    {
        var line = text.Split('\n').First(l => l.StartsWith(name, StringComparison.Ordinal));
        return double.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
    }
}
