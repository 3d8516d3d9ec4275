using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>A linear layer whose weight is multiplied by a fixed 0/1 connectivity mask [out, in] (MADE).</summary>
public sealed class MaskedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor connectivity;

    public MaskedLinear(Tensor connectivity) : base("masked_linear")
    {
        long outputs = connectivity.shape[0], inputs = connectivity.shape[1];
        using (var initial = nn.Linear(inputs, outputs))
        using (torch.no_grad())
        {
            weight = nn.Parameter(initial.weight!.detach().clone().DetachFromDisposeScope());
            bias = nn.Parameter(initial.bias!.detach().clone().DetachFromDisposeScope());
        }
        this.connectivity = connectivity.to(ScalarType.Float32).detach().clone().DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>Sets the weight and bias to zero (an output layer that starts at the identity transform).</summary>
    public void Zero()
    {
        using var noGrad = torch.no_grad();
        weight.zero_();
        bias.zero_();
    }

    public override Tensor forward(Tensor x) => nn.functional.linear(x, weight * connectivity, bias);
}
