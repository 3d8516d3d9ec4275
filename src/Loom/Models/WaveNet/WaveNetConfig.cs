using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.WaveNet;

/// <summary>
/// Everything that defines a trained WaveNet apart from its weights (saved as config.json): the widths, the dilation
/// pattern (<see cref="Stacks"/> stacks of <see cref="LayersPerStack"/> layers with dilations 1, 2, 4, …, 2^(layers−1)),
/// the sample rate of its audio and the classes (digit words) of a conditional model.
/// </summary>
public sealed record WaveNetConfig
{
    /// <summary>Channels of the residual stream.</summary>
    public int ResidualChannels { get; init; } = 32;
    /// <summary>Channels of the skip connections and the output network.</summary>
    public int SkipChannels { get; init; } = 64;
    /// <summary>Dilated layers per stack (dilations 1 … 2^(n−1)).</summary>
    public int LayersPerStack { get; init; } = 8;
    /// <summary>Stacks of dilated layers.</summary>
    public int Stacks { get; init; } = 2;
    /// <summary>Sample rate in Hz of the audio the model was trained on (and writes).</summary>
    public int SampleRate { get; init; } = 8000;
    /// <summary>Class names of a conditional model; empty = unconditional.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string DataName { get; init; } = "";
    /// <summary>Cosines of the clip position in the <see cref="WaveNetTimeline"/>; 0 = no timeline conditioning.</summary>
    public int TimelineFeatures { get; init; }
    /// <summary>Channels of the timeline features c[t] (used when <see cref="TimelineFeatures"/> &gt; 0).</summary>
    public int TimelineChannels { get; init; } = 32;

    /// <summary>Whether every layer is conditioned on the position within the clip.</summary>
    public bool HasTimeline => TimelineFeatures > 0;

    public int NumClasses => ClassNames.Count;

    /// <summary>The dilated layers in order.</summary>
    public int Layers => Stacks * LayersPerStack;

    /// <summary>The dilation of layer <paramref name="layer"/> (0-based): 2^(layer mod layers-per-stack).</summary>
    public int Dilation(int layer) => 1 << (layer % LayersPerStack);

    /// <summary>
    /// How many past samples the prediction of a sample sees: the one-step shift plus the sum of the dilations,
    /// 1 + stacks·(2^layers − 1). The logits at t depend on x[t − R] … x[t − 1] exactly.
    /// </summary>
    public int ReceptiveField => 1 + Stacks * ((1 << LayersPerStack) - 1);

    /// <summary>Checks the values; errors name the recipe property.</summary>
    public void Validate()
    {
        if (ResidualChannels is < 1 or > 1024)
            throw LoomUsageException.ForOption(nameof(ResidualChannels), $"must be 1 to 1024, got {ResidualChannels}");
        if (SkipChannels is < 1 or > 2048)
            throw LoomUsageException.ForOption(nameof(SkipChannels), $"must be 1 to 2048, got {SkipChannels}");
        if (LayersPerStack is < 1 or > 14)
            throw LoomUsageException.ForOption(nameof(LayersPerStack), $"must be 1 to 14, got {LayersPerStack}");
        if (Stacks is < 1 or > 16) throw LoomUsageException.ForOption(nameof(Stacks), $"must be 1 to 16, got {Stacks}");
        if (TimelineFeatures is < 0 or > 256)
            throw LoomUsageException.ForOption(nameof(TimelineFeatures), $"must be 0 to 256, got {TimelineFeatures}");
        if (TimelineChannels is < 1 or > 1024)
            throw LoomUsageException.ForOption(nameof(TimelineChannels), $"must be 1 to 1024, got {TimelineChannels}");
        if (SampleRate is < 1000 or > 96000)
            throw new LoomDataException($"a WaveNet's sample rate must be 1000 to 96000 Hz, got {SampleRate}");
    }

    public JsonObject ToJson() => new()
    {
        ["residual_channels"] = ResidualChannels, ["skip_channels"] = SkipChannels, ["layers_per_stack"] = LayersPerStack,
        ["stacks"] = Stacks, ["sample_rate"] = SampleRate,
        ["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray()), ["data"] = DataName,
        ["timeline_features"] = TimelineFeatures, ["timeline_channels"] = TimelineChannels,
    };

    public static WaveNetConfig FromJson(JsonObject json)
    {
        try
        {
            var v = new ConfigValues(json);
            var config = new WaveNetConfig
            {
                ResidualChannels = v.Int("residual_channels", 1, 1024), SkipChannels = v.Int("skip_channels", 1, 2048),
                LayersPerStack = v.Int("layers_per_stack", 1, 14), Stacks = v.Int("stacks", 1, 16),
                SampleRate = v.Int("sample_rate", 1000, 96000), ClassNames = v.Strings("class_names", []), DataName = v.String("data", ""),
                TimelineFeatures = v.Int("timeline_features", 0, 256, 0), TimelineChannels = v.Int("timeline_channels", 1, 1024, 32),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException
            or LoomUsageException)
        {
            throw new LoomDataException($"wavenet config.json is incomplete or malformed: {e.Message}");
        }
    }
}
