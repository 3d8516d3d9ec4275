using Loom.Audio;
using Loom.Models;
using Loom.Models.WaveNet;
using TorchSharp;

namespace Loom.Tests.Models.WaveNet;

/// <summary>
/// Fast generation (activation queues) and naive generation (recompute over the receptive field) draw the same samples for
/// the same seed; a draw follows the seed; and the likelihood equals a naive sum of per-step log-probabilities, each step
/// computed from its own prefix alone.
/// </summary>
public class WaveNetGenerationTests
{
    [Theory]
    [InlineData(0, 1.0, 0)]
    [InlineData(3, 0.8, 0)]
    [InlineData(3, 1.0, 4)]
    [InlineData(0, 1.0, 3)]
    public void FastAndNaiveGenerationDrawTheSameSamples(int classes, double temperature, int timelineFeatures)
    {
        using var model = WaveNetFixtures.Model(3, 2, classes, timelineFeatures: timelineFeatures);
        int length = 2 * model.Config.ReceptiveField + 9;
        using var labels = classes > 0 ? torch.tensor(new long[] { 0, 2, 1 }) : null;
        using var fast = WaveNetGenerator.Fast(model.Network, length, labels, temperature, seed: 11, count: 3);
        using var naive = WaveNetGenerator.Naive(model.Network, length, labels, temperature, seed: 11, count: 3);
        Assert.Equal([3L, length], fast.shape);
        Assert.True(fast.equal(naive).all().item<bool>(), "fast and naive generation differ");
        Assert.True(fast.data<long>().Distinct().Count() > 10, "the samples are degenerate");
        using var other = WaveNetGenerator.Fast(model.Network, length, labels, temperature, seed: 12, count: 3);
        Assert.False(fast.equal(other).all().item<bool>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void TheLikelihoodIsTheSumOfPerStepLogProbabilities(int timelineFeatures)
    {
        using var model = WaveNetFixtures.Model(2, 2, classes: 2, timelineFeatures: timelineFeatures);
        using var scope = torch.NewDisposeScope();
        var levels = WaveNetFixtures.Levels(1, 20, seed: 9);
        var label = torch.tensor(new long[] { 1 });
        // Each step keeps its place in the whole 20-sample clip when only its prefix is run (t / 20, not t / (t + 1)).
        var positions = WaveNetTimeline.WholeClip(1, 20);
        double whole = model.ClipNll(levels[0].data<long>().Select(v => (byte)v).ToArray(), 1);
        double naive = 0;
        using (torch.no_grad())
            for (int t = 0; t < 20; t++)
            {
                // The prefix x[0..t] alone: the logits of its last step are p(x_t | x_<t).
                var logits = model.Network.Logits(levels.narrow(1, 0, t + 1), label, positions.narrow(1, 0, t + 1))[0, t];
                naive -= torch.nn.functional.log_softmax(logits.to(torch.ScalarType.Float64), 0)[levels[0, t]].ToDouble();
            }
        Assert.Equal(naive, whole, 3);
        Assert.True(whole > 0);
    }

    [Fact]
    public void SampleGivesClipsAtTheModelsRateForTheAskedClass()
    {
        using var model = WaveNetFixtures.Model(2, 1, classes: 10);
        var samples = Assert.IsType<AudioSamples>(model.Sample(new SampleRequest { Count = 2, Length = 50, Class = 3, Seed = 1 }));
        Assert.Equal(2, samples.Clips.Count);
        Assert.All(samples.Clips, c => Assert.Equal((50, 8000), (c.Samples.Length, c.SampleRate)));
        Assert.Equal([3, 3], samples.Labels!);
        Assert.Throws<Loom.Core.LoomUsageException>(() => model.Sample(new SampleRequest { Count = 1, Length = 5, Class = 10 }));
        Assert.Throws<Loom.Core.LoomUsageException>(() => model.Sample(new SampleRequest { Count = 1, Length = 0 }));
        Assert.Throws<Loom.Core.LoomUsageException>(() => model.Sample(new SampleRequest { Count = 1, Length = 5, Temperature = 0 }));
    }
}
