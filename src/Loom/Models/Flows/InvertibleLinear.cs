using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// The invertible 1×1 convolution of Glow in LU form: W = P·(L + I)·(U + diag(sign·e^{log|s|})) with P a fixed, seeded
/// permutation, L strictly lower and U strictly upper triangular and log|s| learned (L, U, log|s| start at zero, so W
/// starts as P). It mixes the channels (dimension 1) of [n, c, h, w] at every pixel, or the features of [n, c] vectors;
/// log|det J| = (pixels)·Σ log|s|, without a determinant.
/// </summary>
public sealed class InvertibleLinear : FlowLayer
{
    private readonly Tensor permutation;
    private readonly Tensor sign;
    private readonly Parameter lower;
    private readonly Parameter upper;
    private readonly Parameter log_abs_s;

    public InvertibleLinear(int channels, long seed) : base("invertible_linear")
    {
        using var g = Core.Seeding.Generator(seed, "flow-permutation");
        var order = torch.randperm(channels, generator: g);
        permutation = torch.eye(channels).index_select(0, order).DetachFromDisposeScope();
        sign = torch.ones(channels).DetachFromDisposeScope();
        lower = nn.Parameter(torch.zeros(channels, channels).DetachFromDisposeScope());
        upper = nn.Parameter(torch.zeros(channels, channels).DetachFromDisposeScope());
        log_abs_s = nn.Parameter(torch.zeros(channels).DetachFromDisposeScope());
        RegisterComponents();
    }

    /// <summary>The current weight W [c, c].</summary>
    public Tensor Weight()
    {
        var identity = torch.eye(lower.shape[0], dtype: lower.dtype, device: lower.device);
        return permutation.matmul(lower.tril(-1) + identity).matmul(upper.triu(1) + torch.diag(sign * log_abs_s.exp()));
    }

    private static Tensor Mix(Tensor x, Tensor weight) => x.dim() == 2
        ? x.matmul(weight.t())
        : x.permute(0, 2, 3, 1).matmul(weight.t()).permute(0, 3, 1, 2);

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        long pixels = x[0].numel() / x.shape[1];
        return (Mix(x, Weight()), (log_abs_s.sum() * pixels).expand(x.shape[0]));
    }

    public override Tensor Inverse(Tensor z)
    {
        var weight = Weight();
        var inverse = torch.linalg.inv(weight.to(ScalarType.Float64)).to(weight.dtype);
        return Mix(z, inverse);
    }
}
