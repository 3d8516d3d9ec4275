using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// Local conditioning of a WaveNet on where in the clip each sample lies (its timeline): the position p = t / T of sample
/// t in a clip of T samples, as F cosines cos(kπp), k = 1 … F, through a small network that also sees the class,
/// c[t] = tanh(W₂ · tanh(W₁ · φ(p) + e_class)), of <see cref="WaveNetConfig.TimelineChannels"/> channels. Every dilated
/// layer adds its own linear map of c[t] inside the gate, as the WaveNet paper's local conditioning adds upsampled
/// linguistic features. With it the network knows which part of the word comes next, which a receptive field shorter
/// than the word cannot tell it; a sample's length then sets the pace of the word.
/// </summary>
public sealed class WaveNetTimeline : nn.Module
{
    private readonly Linear features;
    private readonly Linear hidden;
    private readonly Embedding? condition;
    private readonly int featureCount;

    /// <param name="featureCount">F, the cosines of the position.</param>
    /// <param name="channels">Channels of c[t].</param>
    /// <param name="classes">Classes of a conditional model; 0 = unconditional.</param>
    public WaveNetTimeline(int featureCount, int channels, int classes) : base("wavenet_timeline")
    {
        this.featureCount = featureCount;
        features = nn.Linear(featureCount, channels);
        hidden = nn.Linear(channels, channels);
        if (classes > 0) condition = nn.Embedding(classes, channels);
        RegisterComponents();
    }

    /// <summary>c [n, T, channels] for positions [n, T] (float32, 0 ≤ p &lt; 1 inside the clip) and labels [n] or null.</summary>
    public Tensor Forward(Tensor positions, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var pre = features.forward(Encode(positions, featureCount));
        if (condition is not null && labels is not null) pre = pre + condition.forward(labels).unsqueeze(1);
        return torch.tanh(hidden.forward(torch.tanh(pre))).MoveToOuterDisposeScope();
    }

    /// <summary>φ(p) [n, T, F]: cos(kπp) for k = 1 … F.</summary>
    public static Tensor Encode(Tensor positions, int featureCount)
    {
        using var scope = torch.NewDisposeScope();
        var k = torch.arange(1, featureCount + 1, dtype: ScalarType.Float32, device: positions.device) * Math.PI;
        return torch.cos(positions.to(ScalarType.Float32).unsqueeze(-1) * k).MoveToOuterDisposeScope();
    }

    /// <summary>The positions [count, length] (float32) of whole clips of <paramref name="length"/> samples: t / length.</summary>
    public static Tensor WholeClip(long count, long length, Device? device = null) =>
        (torch.arange(length, dtype: ScalarType.Float64, device: device) / length).to(ScalarType.Float32)
            .unsqueeze(0).expand(count, length).contiguous();
}
