using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Layers;

/// <summary>
/// A drop-in for <c>nn.ConvTranspose2d</c> (groups = 1, square kernel, dilation 1) that runs through
/// <see cref="Convolutions.ConvTranspose2d"/>, so its input gradient is right on every CPU. The parameters, their names
/// (<c>weight</c> [in, out, k, k], <c>bias</c>) and their initialisation are those of <c>nn.ConvTranspose2d</c> (drawn
/// from the same random stream), so checkpoints and seeds carry over unchanged.
/// </summary>
public sealed class ConvTranspose2dLayer : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;  // [in, out, kernel, kernel]
    private readonly Parameter? bias;   // [out]
    private readonly long[] stride;
    private readonly long[] padding;
    private readonly long[] outputPadding;

    public ConvTranspose2dLayer(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0,
        long outputPadding = 0, bool bias = true) : base("conv_transpose2d")
    {
        using (var initial = nn.ConvTranspose2d(inChannels, outChannels, kernel, stride, padding, outputPadding, bias: bias))
        using (torch.no_grad())
        {
            weight = nn.Parameter(initial.weight!.detach().clone().DetachFromDisposeScope());
            if (initial.bias is { } b)
                this.bias = nn.Parameter(b.detach().clone().DetachFromDisposeScope());
        }
        this.stride = [stride, stride];
        this.padding = [padding, padding];
        this.outputPadding = [outputPadding, outputPadding];
        RegisterComponents();
    }

    /// <summary>[in, out, kernel, kernel].</summary>
    public Parameter Weight => weight;

    /// <summary>[out], or null without a bias.</summary>
    public Parameter? Bias => bias;

    /// <summary>Stride (rows, columns).</summary>
    public IReadOnlyList<long> Stride => stride;

    /// <summary>Zero padding removed from each side of the output (rows, columns).</summary>
    public IReadOnlyList<long> Padding => padding;

    /// <summary>Extra rows and columns added to one side of the output.</summary>
    public IReadOnlyList<long> OutputPadding => outputPadding;

    public override Tensor forward(Tensor input) => Convolutions.ConvTranspose2d(input, weight, bias, stride, padding, outputPadding);
}
