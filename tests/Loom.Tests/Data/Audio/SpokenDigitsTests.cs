using Loom.Audio;
using Loom.Data.Audio;
using Loom.Tests.Support;

namespace Loom.Tests.Data.Audio;

/// <summary>
/// The spoken-digits synthesis on a tiny speaker grid (needs Debian's espeak-ng, which build/setup.sh --tests installs):
/// the same grid gives the same bytes, the index lists every clip with its settings, the split is by speaker, and the clips
/// are trimmed 8 kHz 16-bit WAVs of speech-like length.
/// </summary>
public class SpokenDigitsTests
{
    private static readonly SpokenDigitsOptions Tiny = new()
    {
        Voices = ["en-us"], Variants = ["", "f2"], Pitches = [50], Speeds = [175], TestEvery = 2,
    };

    [Fact]
    public void TheSameGridGivesTheSameBytes()
    {
        Assert.True(SpokenDigits.FindProgram() is not null, "espeak-ng is not installed; run 'bash build/setup.sh --tests'");
        using var a = new TempFolder();
        using var b = new TempFolder();
        var index = SpokenDigits.WriteTo(a.Path, Tiny);
        SpokenDigits.WriteTo(b.Path, Tiny);
        var rows = SpokenDigits.ReadIndex(index);
        Assert.Equal(20, rows.Count);
        Assert.Equal(File.ReadAllBytes(index), File.ReadAllBytes(b.File(SpokenDigits.IndexFile)));
        foreach (var row in rows)
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, row.File)), File.ReadAllBytes(Path.Combine(b.Path, row.File)));
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(0, 10)), rows.Select(r => r.Digit));
        Assert.All(rows.Take(10), r => Assert.Equal(("en-us", "train"), (r.Voice, r.Split)));
        Assert.All(rows.Skip(10), r => Assert.Equal(("en-us+f2", "test"), (r.Voice, r.Split)));
        var train = SpokenDigits.Load(index, SpokenDigits.TrainSplit);
        Assert.Equal(10, train.Count);
        Assert.All(train, c =>
        {
            Assert.Equal(8000, c.Clip.SampleRate);
            Assert.InRange(c.Clip.Seconds, 0.2, 1.5);
            Assert.InRange(c.Clip.Samples.Max(Math.Abs), 0.85, 0.91);
        });
    }

    [Fact]
    public void ABadIndexIsADataErrorAndABadGridAUsageError()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("index.csv"), "file,digit,voice,pitch,speed,split\nwav/a.wav,12,en,50,175,train\n");
        var error = Assert.Throws<Loom.Core.LoomDataException>(() => SpokenDigits.ReadIndex(temp.File("index.csv")));
        Assert.Contains("index.csv:2", error.Message);
        Assert.Throws<Loom.Core.LoomUsageException>(() => (Tiny with { Pitches = [120] }).Validate());
        Assert.Throws<Loom.Core.LoomUsageException>(() => (Tiny with { Voices = ["en; rm"] }).Validate());
    }

    [Fact]
    public void TheDefaultGridHas48SpeakersAndAQuarterOfThemAreTestSpeakers()
    {
        var speakers = SpokenDigitsOptions.Default.Speakers();
        Assert.Equal(48, speakers.Count);
        Assert.Equal(12, speakers.Count(s => s.Split == SpokenDigits.TestSplit));
        Assert.Equal(48, speakers.Select(s => s.Stem).Distinct().Count());
        // Every voice and every variant has test speakers and training speakers.
        foreach (var group in speakers.GroupBy(s => s.Voice.Split('+')[0]))
            Assert.Contains(group, s => s.Split == SpokenDigits.TestSplit);
    }
}
