using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// One invertible step of a normalizing flow. <see cref="Forward"/> runs in the density direction (data x → latent z) and
/// returns log|det ∂z/∂x| per example ([n]); <see cref="Inverse"/> runs in the sampling direction (z → x). The first
/// dimension is always the example index; the rest is the layer's own shape ([d] vectors or [c, h, w] images).
/// </summary>
public abstract class FlowLayer : nn.Module
{
    protected FlowLayer(string name) : base(name)
    {
    }

    /// <summary>x → (z, log|det J| per example).</summary>
    public abstract (Tensor Z, Tensor LogDet) Forward(Tensor x);

    /// <summary>z → x, the exact inverse of <see cref="Forward"/>.</summary>
    public abstract Tensor Inverse(Tensor z);

    /// <summary>Sums every dimension but the first: [n, …] → [n].</summary>
    protected static Tensor SumPerExample(Tensor t) => t.flatten(1).sum(1);

    /// <summary>A zero log-determinant for the examples of <paramref name="x"/>.</summary>
    protected static Tensor NoVolumeChange(Tensor x) => torch.zeros(x.shape[0], dtype: x.dtype, device: x.device);
}
