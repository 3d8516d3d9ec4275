using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Root-mean-square normalization, computed in float32: x / √(mean(x²) + ε), then scaled by the weight (Llama: in the
/// input dtype) or by (1 + weight) (Gemma: in float32, weight starting at 0).
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;
    private readonly bool weightPlusOne;

    public RmsNorm(long width, double eps, bool weightPlusOne = false, ScalarType dtype = ScalarType.Float32) : base("RmsNorm")
    {
        this.eps = eps;
        this.weightPlusOne = weightPlusOne;
        weight = nn.Parameter(weightPlusOne ? torch.zeros(width, dtype) : torch.ones(width, dtype));
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var normalized = Normalized(x);
        var output = weightPlusOne
            ? (normalized * (weight.to(ScalarType.Float32) + 1)).to(x.dtype)
            : weight * normalized.to(x.dtype);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>x / √(mean(x²) + ε) over the last dimension, in float32, before the weight (what the weight's gradient
    /// multiplies).</summary>
    public Tensor Normalized(Tensor x)
    {
        var input = x.to(ScalarType.Float32);
        return input * torch.rsqrt(input.pow(2).mean([-1], keepdim: true) + eps);
    }
}
