using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// One dilated residual layer of WaveNet (van den Oord et al. 2016): a causal convolution of width 2 and dilation d,
/// written as two linear maps, pre[t] = A·h[t − d] + B·h[t] + b (h before the start counts as zero), plus a class
/// embedding inside the gate of a conditional model (and a linear map of the <see cref="WaveNetTimeline"/> features c[t] when
/// the model has one); the gated unit z = tanh(pre₁) ⊙ σ(pre₂); a 1×1 residual map added
/// to h and a 1×1 skip map. <see cref="Forward"/> runs a whole sequence, <see cref="Step"/> one time step given
/// h[t − d] (the fast generator keeps those in a queue per layer); both use the same weights and the same arithmetic.
/// </summary>
public sealed class WaveNetLayer : nn.Module
{
    private readonly Linear past;
    private readonly Linear now;
    private readonly Linear residual;
    private readonly Linear skip;
    private readonly Embedding? condition;
    private readonly Linear? timeline;
    private readonly long channels;

    /// <param name="channels">Residual channels C.</param>
    /// <param name="skipChannels">Skip channels.</param>
    /// <param name="dilation">d.</param>
    /// <param name="classes">Classes of a conditional model; 0 = unconditional.</param>
    /// <param name="timelineChannels">Channels of the timeline features c[t]; 0 = none.</param>
    public WaveNetLayer(long channels, long skipChannels, int dilation, int classes, int timelineChannels = 0) : base("wavenet_layer")
    {
        this.channels = channels;
        Dilation = dilation;
        past = nn.Linear(channels, 2 * channels, hasBias: false);
        now = nn.Linear(channels, 2 * channels);
        residual = nn.Linear(channels, channels);
        skip = nn.Linear(channels, skipChannels);
        if (classes > 0) condition = nn.Embedding(classes, 2 * channels);
        if (timelineChannels > 0) timeline = nn.Linear(timelineChannels, 2 * channels, hasBias: false);
        RegisterComponents();
    }

    /// <summary>d.</summary>
    public int Dilation { get; }

    /// <summary>
    /// (h + residual, skip) for a sequence <paramref name="h"/> [n, T, C]; <paramref name="labels"/> [n] or null;
    /// <paramref name="timelineFeatures"/> c [n, T, H] or null.
    /// </summary>
    public (Tensor Output, Tensor Skip) Forward(Tensor h, Tensor? labels, Tensor? timelineFeatures = null)
    {
        using var scope = torch.NewDisposeScope();
        long length = h.shape[1];
        // h[t − d] with zeros before the start: pad d zero steps in front and drop the last d.
        var delayed = Dilation >= length
            ? torch.zeros_like(h)
            : torch.cat([torch.zeros([h.shape[0], Dilation, h.shape[2]], h.dtype, h.device), h.narrow(1, 0, length - Dilation)], 1);
        var pre = past.forward(delayed) + now.forward(h);
        if (condition is not null && labels is not null) pre = pre + condition.forward(labels).unsqueeze(1);
        if (timeline is not null && timelineFeatures is not null) pre = pre + timeline.forward(timelineFeatures);
        var (output, skipOut) = Finish(pre, h);
        return (output.MoveToOuterDisposeScope(), skipOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// One step: <paramref name="h"/> [n, C] at t, <paramref name="delayed"/> [n, C] at t − d, the timeline features
    /// [n, H] at t or null.
    /// </summary>
    public (Tensor Output, Tensor Skip) Step(Tensor h, Tensor delayed, Tensor? labels, Tensor? timelineFeatures = null)
    {
        using var scope = torch.NewDisposeScope();
        var pre = past.forward(delayed) + now.forward(h);
        if (condition is not null && labels is not null) pre = pre + condition.forward(labels);
        if (timeline is not null && timelineFeatures is not null) pre = pre + timeline.forward(timelineFeatures);
        var (output, skipOut) = Finish(pre, h);
        return (output.MoveToOuterDisposeScope(), skipOut.MoveToOuterDisposeScope());
    }

    private (Tensor Output, Tensor Skip) Finish(Tensor pre, Tensor h)
    {
        var z = torch.tanh(pre.narrow(-1, 0, channels)) * torch.sigmoid(pre.narrow(-1, channels, channels));
        return (h + residual.forward(z), skip.forward(z));
    }
}
