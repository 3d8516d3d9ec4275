using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Affine coupling (RealNVP, Dinh et al. 2017): the dimensions the mask passes (m = 1) condition a scale and shift of the
/// others, z = m·x + (1 − m)·(x·eˢ + t) with (s, t) = NN(m·x). The log-scale is bounded, s = σ·tanh(ŝ) with a learned
/// per-dimension (per-channel) σ, so a step can never blow up; log|det J| = Σ (1 − m)·s. The conditioner maps a tensor
/// of the layer's shape to twice its channels (first half ŝ, second half t) and starts at zero, so a new layer is the identity.
/// </summary>
public sealed class AffineCoupling : FlowLayer
{
    private readonly Tensor mask;
    private readonly nn.Module<Tensor, Tensor> conditioner;
    private readonly Parameter scale;

    public AffineCoupling(Tensor mask, nn.Module<Tensor, Tensor> conditioner) : base("affine_coupling")
    {
        this.mask = mask.detach().clone().DetachFromDisposeScope();
        this.conditioner = conditioner;
        var shape = mask.shape.Select((size, axis) => axis == 1 ? size : 1L).ToArray();
        scale = nn.Parameter(torch.ones(shape).DetachFromDisposeScope());
        RegisterComponents();
    }

    private (Tensor LogScale, Tensor Shift) Parameters(Tensor passed)
    {
        var chunks = conditioner.call(passed).chunk(2, 1);
        var free = 1 - mask;
        return (scale * torch.tanh(chunks[0]) * free, chunks[1] * free);
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var passed = x * mask;
        var (s, t) = Parameters(passed);
        var z = passed + (1 - mask) * (x * s.exp() + t);
        return (z, SumPerExample(s));
    }

    public override Tensor Inverse(Tensor z)
    {
        var passed = z * mask;
        var (s, t) = Parameters(passed);
        return passed + (1 - mask) * ((z - t) * (-s).exp());
    }
}
