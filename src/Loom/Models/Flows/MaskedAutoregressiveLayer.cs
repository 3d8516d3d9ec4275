using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// One MAF layer (Papamakarios et al. 2017): z_i = (x_i − μ_i(x_&lt;i))·exp(−α_i(x_&lt;i)) with (μ, α) from a
/// <see cref="Made"/>, so the density direction is one pass and log|det J| = −Σ α. The log-scale is bounded,
/// α = 3·tanh(α̂/3). The inverse is sequential: d passes, each fixing one more dimension.
/// </summary>
public sealed class MaskedAutoregressiveLayer : FlowLayer
{
    private const double ScaleBound = 3;
    private readonly Made made;
    private readonly int dimensions;

    public MaskedAutoregressiveLayer(int dimensions, int hidden, int hiddenLayers) : base("maf_layer")
    {
        this.dimensions = dimensions;
        made = new Made(dimensions, hidden, hiddenLayers, 2);
        RegisterComponents();
    }

    private (Tensor Shift, Tensor LogScale) Parameters(Tensor x)
    {
        var chunks = made.call(x).chunk(2, 1);
        return (chunks[0], ScaleBound * torch.tanh(chunks[1] / ScaleBound));
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var (mu, alpha) = Parameters(x);
        return ((x - mu) * (-alpha).exp(), -alpha.sum(1));
    }

    public override Tensor Inverse(Tensor z)
    {
        var x = torch.zeros_like(z);
        for (int i = 0; i < dimensions; i++)   // one pass per dimension; each pass's temporaries end with it
        {
            using var scope = torch.NewDisposeScope();
            var (mu, alpha) = Parameters(x);
            var next = (z * alpha.exp() + mu).MoveToOuterDisposeScope();
            x.Dispose();
            x = next;
        }
        return x;
    }
}
