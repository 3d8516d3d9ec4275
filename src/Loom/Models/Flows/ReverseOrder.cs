using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>Reverses the order of the dimensions of vectors (between autoregressive layers); volume-preserving.</summary>
public sealed class ReverseOrder : FlowLayer
{
    public ReverseOrder() : base("reverse_order")
    {
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x) => (x.flip(1), NoVolumeChange(x));

    public override Tensor Inverse(Tensor z) => z.flip(1);
}
