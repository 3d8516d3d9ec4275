using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// A convolution with a rectangular kernel that pads its input on chosen sides only, so each output pixel sees an
/// off-centre window: the building block of PixelCNN's causal stacks (no masked weights, no wasted multiplications).
/// Runs through <see cref="Convolutions.Conv2d"/>, so its input gradient is right on every CPU; weights are initialised
/// as <c>nn.Conv2d</c>'s.
/// </summary>
public sealed class ShiftedConv : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;  // [out, in, kh, kw]
    private readonly Parameter bias;    // [out]
    private readonly long[] pad;        // left, right, top, bottom

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="height">Kernel rows.</param>
    /// <param name="width">Kernel columns.</param>
    /// <param name="left">Zero columns added on the left: output (r, c) sees input columns c − left … c − left + width − 1.</param>
    /// <param name="top">Zero rows added on top: output (r, c) sees input rows r − top … r − top + height − 1.</param>
    /// <remarks>The right and bottom sides are padded (or, when negative, cropped) so the output has the input's size.</remarks>
    public ShiftedConv(long inChannels, long outChannels, long height, long width, long left, long top)
        : base("shifted_conv")
    {
        using (var initial = nn.Conv2d(inChannels, outChannels, (height, width)))
        using (torch.no_grad())
        {
            weight = nn.Parameter(initial.weight!.detach().clone().DetachFromDisposeScope());
            bias = nn.Parameter(initial.bias!.detach().clone().DetachFromDisposeScope());
        }
        pad = [left, width - 1 - left, top, height - 1 - top];
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var padded = pad.All(p => p == 0) ? input : nn.functional.pad(input, pad);
        return Convolutions.Conv2d(padded, weight, bias, [1, 1], [0, 0]).MoveToOuterDisposeScope();
    }
}
