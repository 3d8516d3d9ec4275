using Loom.Audio;
using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// The WaveNet network over μ-law levels: an embedding of the 256 levels (a one-hot input through a 1×1 convolution),
/// shifted one step so the logits at t see only x[&lt;t]; <see cref="WaveNetConfig.Layers"/> <see cref="WaveNetLayer"/>s
/// with dilations 1, 2, …, 2^(k−1) repeated per stack; the sum of their skip outputs through ReLU → 1×1 → ReLU → 1×1
/// to 256-way softmax logits; with <see cref="WaveNetConfig.HasTimeline"/>, every layer also sees the
/// <see cref="WaveNetTimeline"/> features of each sample's position in its clip. <see cref="Logits"/> runs whole
/// sequences; <see cref="WaveNetGenerator"/> runs it a step at a time with activation queues.
/// </summary>
public sealed class WaveNetNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Embedding input;
    private readonly ModuleList<WaveNetLayer> layers;
    private readonly Linear hidden;
    private readonly Linear logits;
    private readonly WaveNetTimeline? timeline;

    public WaveNetNetwork(WaveNetConfig config) : base("wavenet")
    {
        config.Validate();
        Config = config;
        input = nn.Embedding(MuLaw.Levels, config.ResidualChannels);
        layers = new ModuleList<WaveNetLayer>();
        for (int i = 0; i < config.Layers; i++)
        {
            layers.Add(new WaveNetLayer(config.ResidualChannels, config.SkipChannels, config.Dilation(i), config.NumClasses,
                config.HasTimeline ? config.TimelineChannels : 0));
        }
        if (config.HasTimeline) timeline = new WaveNetTimeline(config.TimelineFeatures, config.TimelineChannels, config.NumClasses);
        hidden = nn.Linear(config.SkipChannels, config.SkipChannels);
        logits = nn.Linear(config.SkipChannels, MuLaw.Levels);
        RegisterComponents();
    }

    public WaveNetConfig Config { get; }

    /// <summary>The dilated layers in order (a new list each call).</summary>
    public IReadOnlyList<WaveNetLayer> Layers => layers.ToList();

    /// <summary>Logits of an unconditional model; see <see cref="Logits(Tensor, Tensor?, Tensor?)"/>.</summary>
    public override Tensor forward(Tensor levels) => Logits(levels, null);

    /// <summary>The embedding [n, T, C] of μ-law levels [n, T] (int64 0..255).</summary>
    public Tensor Embed(Tensor levels) => input.forward(levels);

    /// <summary>
    /// Logits [n, T, 256]: entry t is the distribution of level t given levels 0 … t − 1 (and the class, and with a
    /// timeline the position of each step: <paramref name="positions"/> [n, T], by default the whole clip, t / T).
    /// </summary>
    public Tensor Logits(Tensor levels, Tensor? labels, Tensor? positions = null) =>
        LogitsFromEmbedding(Embed(levels), labels, positions);

    /// <summary>
    /// <see cref="Logits(Tensor, Tensor?, Tensor?)"/> from the embedded levels [n, T, C] (what the causality test
    /// differentiates): the embedding is shifted one step (zeros at t = 0) before the first layer.
    /// </summary>
    public Tensor LogitsFromEmbedding(Tensor embedded, Tensor? labels, Tensor? positions = null)
    {
        CheckLabels(labels);
        using var scope = torch.NewDisposeScope();
        long length = embedded.shape[1];
        var features = TimelineFeatures(positions ?? (timeline is null ? null
            : WaveNetTimeline.WholeClip(embedded.shape[0], length, embedded.device)), labels);
        var h = torch.cat([torch.zeros([embedded.shape[0], 1, embedded.shape[2]], embedded.dtype, embedded.device),
            embedded.narrow(1, 0, length - 1)], 1);
        Tensor? skips = null;
        foreach (var layer in layers)
        {
            var (next, skip) = layer.Forward(h, labels, features);
            h = next;
            skips = skips is null ? skip : skips + skip;
        }
        return Output(skips!).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The timeline features c [n, T, H] of <paramref name="positions"/> [n, T] (see <see cref="WaveNetTimeline"/>);
    /// null for a network without a timeline.
    /// </summary>
    public Tensor? TimelineFeatures(Tensor? positions, Tensor? labels)
    {
        if (timeline is null || positions is null) return null;
        return timeline.Forward(positions.to(ScalarType.Float32), labels);
    }

    /// <summary>Logits from the summed skip outputs [..., S].</summary>
    public Tensor Output(Tensor skips) => logits.forward(nn.functional.relu(hidden.forward(nn.functional.relu(skips))));

    /// <summary>Throws a usage error when a conditional network gets no labels.</summary>
    public void CheckLabels(Tensor? labels)
    {
        if (Config.NumClasses > 0 && labels is null)
            throw new LoomUsageException($"this WaveNet is conditional on {Config.NumClasses} classes; give a class");
    }
}
