using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>Root-mean-square normalization (Llama): x / √(mean(x²) + ε) · weight, computed in float32.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;

    public RmsNorm(long width, double eps) : base("RmsNorm")
    {
        this.eps = eps;
        weight = nn.Parameter(torch.ones(width));
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var input = x.to(ScalarType.Float32);
        var normalized = input * torch.rsqrt(input.pow(2).mean([-1], keepdim: true) + eps);
        return (weight * normalized.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
