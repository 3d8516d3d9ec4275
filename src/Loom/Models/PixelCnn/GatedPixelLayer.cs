using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// One layer of the Gated PixelCNN (van den Oord et al. 2016) on a vertical and a horizontal stack. The vertical stack at
/// (r, c) sees rows ≤ r over columns c ± k/2; the horizontal stack sees its own row, to the left of c (mask A, the first
/// layer: strictly left, so no pixel sees itself) or up to c (mask B). The vertical pre-activation, shifted one row down
/// so it only holds rows above, feeds the horizontal one through a 1×1 convolution: that link removes the blind spot of
/// the original PixelCNN. Both stacks are gated, tanh(a) ⊙ σ(b); a class embedding is added inside both gates of a
/// conditional model; the horizontal stack's output goes through a 1×1 convolution and, after the first layer, adds
/// its input (residual).
/// </summary>
public sealed class GatedPixelLayer : nn.Module
{
    private readonly ShiftedConv vertical;
    private readonly ShiftedConv horizontal;
    private readonly Conv2dLayer link;
    private readonly Conv2dLayer output;
    private readonly Embedding? vertical_class;
    private readonly Embedding? horizontal_class;
    private readonly bool residual;
    private readonly long channels;

    /// <param name="inChannels">Channels of both stacks' inputs (the image's for the first layer).</param>
    /// <param name="channels">Channels of both stacks' outputs.</param>
    /// <param name="kernel">Odd kernel width k.</param>
    /// <param name="maskA">The first layer: the horizontal stack excludes the current pixel, and there is no residual.</param>
    /// <param name="classes">Classes of a conditional model; 0 = unconditional.</param>
    public GatedPixelLayer(long inChannels, long channels, int kernel, bool maskA, int classes) : base("gated")
    {
        int half = kernel / 2;
        this.channels = channels;
        vertical = new ShiftedConv(inChannels, 2 * channels, half + 1, kernel, left: half, top: half);
        horizontal = new ShiftedConv(inChannels, 2 * channels, 1, maskA ? half : half + 1, left: half, top: 0);
        link = new Conv2dLayer(2 * channels, 2 * channels, 1);
        output = new Conv2dLayer(channels, channels, 1);
        if (classes > 0)
        {
            vertical_class = nn.Embedding(classes, 2 * channels);
            horizontal_class = nn.Embedding(classes, 2 * channels);
        }
        residual = !maskA && inChannels == channels;
        RegisterComponents();
    }

    /// <summary>The next (vertical, horizontal) stacks from these, with <paramref name="labels"/> [n] for a conditional model.</summary>
    public (Tensor Vertical, Tensor Horizontal) Forward(Tensor v, Tensor h, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var vPre = vertical.forward(v);
        var hPre = horizontal.forward(h);
        if (vertical_class is not null && horizontal_class is not null && labels is not null)
        {
            vPre = vPre + vertical_class.forward(labels).unsqueeze(-1).unsqueeze(-1);
            hPre = hPre + horizontal_class.forward(labels).unsqueeze(-1).unsqueeze(-1);
        }
        // Row r of the shifted vertical stack holds what the vertical stack saw up to row r − 1.
        var above = nn.functional.pad(vPre, [0, 0, 1, -1]);
        hPre = hPre + link.forward(above);
        var vOut = Gate(vPre);
        var hOut = output.forward(Gate(hPre));
        if (residual) hOut = hOut + h;
        return (vOut.MoveToOuterDisposeScope(), hOut.MoveToOuterDisposeScope());
    }

    private Tensor Gate(Tensor preActivation) =>
        torch.tanh(preActivation.narrow(1, 0, channels)) * torch.sigmoid(preActivation.narrow(1, channels, channels));
}
