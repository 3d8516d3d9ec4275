using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.WaveNet;
using Loom.Tests.Support;

namespace Loom.Tests.Models.WaveNet;

/// <summary>Checkpoint round trip: the tensor names and count, the config, and the same likelihoods after loading.</summary>
public class WaveNetCheckpointTests
{
    [Fact]
    public void ACheckpointLoadsBackToTheSameLikelihoods()
    {
        using var temp = new TempFolder();
        using var model = WaveNetFixtures.Model(3, 2, classes: 4);
        var state = model.GetState();
        // Input embedding, 6 layers of (past weight, now weight + bias, residual weight + bias, skip weight + bias, class
        // embedding), hidden and logits weight + bias.
        Assert.Equal(1 + 6 * 8 + 4, state.Count);
        Assert.Equal([256L, 6], state["input.weight"].shape);
        Assert.Equal([12L, 6], state["layers.5.past.weight"].shape);
        Assert.Equal([4L, 12], state["layers.0.condition.weight"].shape);
        Checkpoint.Save(temp.Path, model, new ModelCard());
        using var loaded = Checkpoint.Load(temp.Path);
        var back = Assert.IsType<WaveNetModel>(loaded);
        Assert.Equal(state.Count, back.GetState().Count);
        Assert.Equal(model.Config.ToJson().ToJsonString(), back.Config.ToJson().ToJsonString());
        var levels = WaveNetFixtures.Levels(1, 40, seed: 2)[0].data<long>().Select(v => (byte)v).ToArray();
        Assert.Equal(model.ClipNll(levels, 2), back.ClipNll(levels, 2));
        Assert.Equal(4, loaded.GetService<IConditionalModel>()!.NumClasses);
        Assert.NotNull(loaded.GetService<ILikelihoodModel>());
    }

    [Fact]
    public void ATimelineModelRoundTripsAndAnOlderConfigLoadsWithoutOne()
    {
        using var temp = new TempFolder();
        using var model = WaveNetFixtures.Model(2, 1, classes: 3, timelineFeatures: 4);
        var state = model.GetState();
        // The plain layout (1 + 2·8 + 4) plus one timeline map per layer and the timeline network's two linear maps
        // (weight + bias each) and class embedding.
        Assert.Equal(1 + 2 * 8 + 4 + 2 + 5, state.Count);
        Assert.Equal([12L, 5], state["layers.1.timeline.weight"].shape);
        Assert.Equal([5L, 4], state["timeline.features.weight"].shape);
        Assert.Equal([3L, 5], state["timeline.condition.weight"].shape);
        Checkpoint.Save(temp.Path, model, new ModelCard());
        using var back = Assert.IsType<WaveNetModel>(Checkpoint.Load(temp.Path));
        Assert.Equal((4, 5), (back.Config.TimelineFeatures, back.Config.TimelineChannels));
        var levels = WaveNetFixtures.Levels(1, 30, seed: 4)[0].data<long>().Select(v => (byte)v).ToArray();
        Assert.Equal(model.ClipNll(levels, 1), back.ClipNll(levels, 1));

        var older = new WaveNetConfig().ToJson();
        older.Remove("timeline_features");
        older.Remove("timeline_channels");
        Assert.False(WaveNetConfig.FromJson(older).HasTimeline);
    }

    [Fact]
    public void ABrokenConfigIsADataError()
    {
        var config = new WaveNetConfig().ToJson();
        config["layers_per_stack"] = 40;
        var error = Assert.Throws<LoomDataException>(() => WaveNetConfig.FromJson(config));
        Assert.Contains("layers_per_stack", error.Message);
    }
}
