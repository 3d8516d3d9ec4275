using Loom.Audio;
using Loom.Core;
using Loom.Tests.Support;

namespace Loom.Tests.Audio;

/// <summary><see cref="AudioSampleFiles"/>: WAV files read back as samples, in natural order, labelled by their titles.</summary>
public sealed class AudioSampleFilesTests
{
    private static AudioClip Tone(int length, float level) => new(Enumerable.Repeat(level, length).ToArray(), 8000);

    [Fact]
    public void A_folder_reads_in_natural_order_with_labels_from_the_titles()
    {
        using var temp = new TempFolder();
        string[] titles = ["two", "seven", "two", "zero", "seven", "two", "one", "one", "zero", "nine", "two", "seven"];
        for (int i = 0; i < titles.Length; i++)
            WavFile.Write(temp.File($"clip-{i + 1}.wav"), Tone(100 + i, 0.01f * i), titles[i]);
        File.WriteAllText(temp.File("notes.txt"), "not audio");

        Assert.True(AudioSampleFiles.Holds(temp.Path));
        var samples = AudioSampleFiles.Read(temp.Path);
        Assert.Equal(Enumerable.Range(100, 12), samples.Clips.Select(c => c.Samples.Length));   // clip-2 before clip-10
        Assert.Equal(["two", "seven", "zero", "one", "nine"], samples.ClassNames);
        Assert.Equal(titles, samples.Labels!.Select(l => samples.ClassNames![l]));

        var first = AudioSampleFiles.Read(temp.Path, limit: 3);
        Assert.Equal(3, first.Clips.Count);
        var one = AudioSampleFiles.Read(temp.File("clip-4.wav"));
        Assert.Equal(["zero"], one.ClassNames);
        Assert.Equal([0], one.Labels);
    }

    [Fact]
    public void Clips_without_titles_are_unlabelled_and_empty_or_missing_sources_are_refused()
    {
        using var temp = new TempFolder();
        WavFile.Write(temp.File("a.wav"), Tone(50, 0.1f), "one");
        WavFile.Write(temp.File("b.wav"), Tone(60, 0.1f));
        var samples = AudioSampleFiles.Read(temp.Path);
        Assert.Equal(2, samples.Clips.Count);
        Assert.Null(samples.Labels);
        Assert.Null(samples.ClassNames);

        Directory.CreateDirectory(temp.File("empty"));
        Assert.False(AudioSampleFiles.Holds(temp.File("empty")));
        Assert.False(AudioSampleFiles.Holds(temp.File("missing.wav")));
        Assert.Throws<LoomDataException>(() => AudioSampleFiles.Read(temp.File("empty")));
        Assert.Throws<LoomDataException>(() => AudioSampleFiles.Read(temp.File("missing")));
    }
}
