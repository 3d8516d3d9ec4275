using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Rotary position embedding in HF Llama's layout: the head is split in halves, frequency i rotates the pair
/// (x_i, x_{i+d/2}); the frequencies are θ^(−2i/d) as <see cref="RopeScaling"/> scales them. Angles come from explicit
/// position ids, so left-padded rows and cached steps rotate correctly.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly int headDim;
    private readonly double theta;
    private readonly RopeScaling scaling;
    private readonly double[] inverseFrequency;

    public RotaryEmbedding(int headDim, double theta, RopeScaling? scaling = null)
    {
        this.headDim = headDim;
        this.theta = theta;
        this.scaling = scaling ?? RopeScaling.None;
        inverseFrequency = this.scaling.InverseFrequencies(headDim, theta, 0);
    }

    /// <summary>cos and sin [B, 1, T, hd] for position ids [B, T].</summary>
    /// <remarks>
    /// Dynamic scaling recomputes the frequencies from the largest position of this call, as HF does per forward pass; so,
    /// as in HF, keys cached before a sequence outgrew the original context keep their earlier rotation.
    /// </remarks>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var inverse = scaling.Kind == RopeScalingKind.Dynamic
            ? scaling.InverseFrequencies(headDim, theta, positions.max().ToInt64() + 1)
            : inverseFrequency;
        var frequencies = torch.tensor(inverse, ScalarType.Float32, positions.device);
        var angles = positions.to(ScalarType.Float32).unsqueeze(-1) * frequencies;   // [B, T, hd/2]
        var both = torch.cat([angles, angles], -1).unsqueeze(1);                     // [B, 1, T, hd]
        return (both.cos().to(dtype).MoveToOuterDisposeScope(), both.sin().to(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>Rotates x [B, H, T, hd].</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        long half = x.shape[3] / 2;
        var rotated = torch.cat([-x.narrow(3, half, half), x.narrow(3, 0, half)], 3);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
