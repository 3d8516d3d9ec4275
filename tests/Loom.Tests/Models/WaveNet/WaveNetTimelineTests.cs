using Loom.Core;
using Loom.Data.Audio;
using Loom.Models.WaveNet;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Models.WaveNet;

/// <summary>
/// The timeline conditioning: the position features are cos(kπ·t/T); the logits depend on where a sample lies in its
/// clip (the same levels score differently inside a long clip and as a whole short one) and on nothing else
/// the plain network lacks; training windows carry each sample's index / clip length.
/// </summary>
public class WaveNetTimelineTests
{
    [Fact]
    public void TheFeaturesAreCosinesOfThePosition()
    {
        using var scope = torch.NewDisposeScope();
        var positions = WaveNetTimeline.WholeClip(2, 8);
        Assert.Equal([2L, 8], positions.shape);
        var features = WaveNetTimeline.Encode(positions, 3);
        Assert.Equal([2L, 8, 3], features.shape);
        for (int t = 0; t < 8; t++)
            for (int k = 1; k <= 3; k++)
                Assert.Equal(Math.Cos(k * Math.PI * t / 8), features[1, t, k - 1].ToDouble(), 5);
    }

    [Fact]
    public void TheLogitsDependOnThePositionInTheClip()
    {
        using var model = WaveNetFixtures.Model(2, 2, classes: 2, timelineFeatures: 4);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var levels = WaveNetFixtures.Levels(1, 12, seed: 8);
        var labels = torch.tensor(new long[] { 1 });
        var whole = model.Network.Logits(levels, labels);
        var explicitWhole = model.Network.Logits(levels, labels, WaveNetTimeline.WholeClip(1, 12));
        Assert.True(whole.equal(explicitWhole).all().item<bool>(), "the default positions are not t / T");
        // The same 12 levels as samples 12 … 23 of a 144-sample clip.
        var early = model.Network.Logits(levels, labels, WaveNetTimeline.WholeClip(1, 144).narrow(1, 12, 12));
        Assert.True((whole - early).abs().max().ToDouble() > 1e-3, "the position changes nothing");
        // Step 0 sees no levels at all, so only the position and the class tell its logits apart.
        Assert.True((whole[0, 0] - early[0, 0]).abs().max().ToDouble() > 1e-3);
    }

    [Fact]
    public void AModelWithoutATimelineIgnoresPositions()
    {
        using var model = WaveNetFixtures.Model(2, 1);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var levels = WaveNetFixtures.Levels(1, 10, seed: 2);
        var plain = model.Network.Logits(levels, null);
        var placed = model.Network.Logits(levels, null, WaveNetTimeline.WholeClip(1, 100).narrow(1, 50, 10));
        Assert.True(plain.equal(placed).all().item<bool>());
        Assert.Null(model.Network.TimelineFeatures(WaveNetTimeline.WholeClip(1, 10), null));
    }

    [Fact]
    public void BadTimelineSizesNameTheOption()
    {
        var error = Assert.Throws<LoomUsageException>(() => new WaveNetConfig { TimelineFeatures = -1 }.Validate());
        Assert.Contains("TimelineFeatures", error.Message);
        error = Assert.Throws<LoomUsageException>(() => new WaveNetConfig { TimelineFeatures = 4, TimelineChannels = 0 }.Validate());
        Assert.Contains("TimelineChannels", error.Message);
    }

    [Fact]
    public void TrainingWindowsCarryEachSamplesPlaceInItsClip()
    {
        using var temp = new TempFolder();
        var index = WriteNoiseClips(temp.Path, [300, 90]);
        var data = WaveNetTrainingData.Load(index);
        using var scope = torch.NewDisposeScope();
        var (levels, digits, mask, positions) = data.Window(seed: 1, step: 3, batch: 6, window: 120, receptiveField: 7);
        for (int b = 0; b < 6; b++)
        {
            int clip = (int)digits[b].ToInt64();
            int length = data.Clips[clip].Length;
            // Find the window's start in its clip from the levels, then check every position is (start + i) / length.
            var row = levels[b].data<long>().Select(v => (byte)v).ToArray();
            int start = Enumerable.Range(0, Math.Max(1, length - 120 + 1))
                .First(s => Enumerable.Range(0, Math.Min(120, length - s)).All(i => data.Clips[clip][s + i] == row[i]));
            for (int i = 0; i < 120; i++)
                Assert.Equal((double)(start + i) / length, positions[b, i].ToDouble(), 5);
            Assert.True(mask[b].sum().ToDouble() > 0);
        }
    }

    /// <summary>A spoken-digits index of noise clips of the given lengths, clip i as digit i, all in the train split.</summary>
    private static string WriteNoiseClips(string folder, int[] lengths)
    {
        var random = new Random(5);
        var rows = new List<string> { "file,digit,voice,pitch,speed,split" };
        Directory.CreateDirectory(Path.Combine(folder, "wav"));
        for (int i = 0; i < lengths.Length; i++)
        {
            var samples = Enumerable.Range(0, lengths[i]).Select(_ => (float)(random.NextDouble() * 1.6 - 0.8)).ToArray();
            Loom.Audio.WavFile.Write(Path.Combine(folder, $"wav/{i}.wav"), new Loom.Audio.AudioClip(samples, SpokenDigits.SampleRate));
            rows.Add($"wav/{i}.wav,{i},en-us,50,160,train");
        }
        var index = Path.Combine(folder, SpokenDigits.IndexFile);
        File.WriteAllLines(index, rows);
        return index;
    }
}
