using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>[n, c, h, w] ↔ [n, c·h·w]: the last step of an image flow, so its latent is flat; volume-preserving.</summary>
public sealed class Flatten : FlowLayer
{
    private readonly long[] shape;

    public Flatten(int channels, int height, int width) : base("flatten")
    {
        shape = [channels, height, width];
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x) => (x.flatten(1), NoVolumeChange(x));

    public override Tensor Inverse(Tensor z) => z.reshape([z.shape[0], .. shape]);
}
