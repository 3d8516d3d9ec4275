using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Layers;

/// <summary>
/// A drop-in for <c>nn.Conv2d</c> (groups = 1, square kernel) that runs through <see cref="Convolutions.Conv2d"/>, so
/// its input gradient is right on every CPU. The parameters, their names (<c>weight</c>, <c>bias</c>) and their
/// initialisation are those of <c>nn.Conv2d</c> (drawn from the same random stream), so checkpoints and seeds carry
/// over unchanged.
/// </summary>
public sealed class Conv2dLayer : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;  // [out, in, kernel, kernel]
    private readonly Parameter? bias;   // [out]
    private readonly long[] stride;
    private readonly long[] padding;
    private readonly PaddingModes paddingMode;

    public Conv2dLayer(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, bool bias = true,
        PaddingModes paddingMode = PaddingModes.Zeros) : base("conv2d")
    {
        using (var initial = nn.Conv2d(inChannels, outChannels, kernel, bias: bias))
        using (torch.no_grad())
        {
            weight = nn.Parameter(initial.weight!.detach().clone().DetachFromDisposeScope());
            if (initial.bias is { } b)
                this.bias = nn.Parameter(b.detach().clone().DetachFromDisposeScope());
        }
        this.stride = [stride, stride];
        this.padding = [padding, padding];
        this.paddingMode = paddingMode;
        RegisterComponents();
    }

    /// <summary>[out, in, kernel, kernel].</summary>
    public Parameter Weight => weight;

    /// <summary>[out], or null without a bias.</summary>
    public Parameter? Bias => bias;

    /// <summary>Stride (rows, columns).</summary>
    public IReadOnlyList<long> Stride => stride;

    /// <summary>Padding on each side (rows, columns), filled as <see cref="PaddingMode"/> says.</summary>
    public IReadOnlyList<long> Padding => padding;

    public PaddingModes PaddingMode => paddingMode;

    public override Tensor forward(Tensor input)
    {
        if (paddingMode == PaddingModes.Zeros)
            return Convolutions.Conv2d(input, weight, bias, stride, padding);
        using var scope = torch.NewDisposeScope();
        var padded = nn.functional.pad(input, [padding[1], padding[1], padding[0], padding[0]], paddingMode);
        return Convolutions.Conv2d(padded, weight, bias, stride, [0, 0]).MoveToOuterDisposeScope();
    }
}
