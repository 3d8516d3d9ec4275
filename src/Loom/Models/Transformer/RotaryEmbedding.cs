using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Rotary position embedding in HF Llama's layout: the head is split in halves, frequency i = θ^(−2i/d) rotates the
/// pair (x_i, x_{i+d/2}); angles come from explicit position ids, so left-padded rows and cached steps rotate correctly.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly double[] inverseFrequency;

    public RotaryEmbedding(int headDim, double theta)
    {
        inverseFrequency = new double[headDim / 2];
        for (int i = 0; i < inverseFrequency.Length; i++)
            inverseFrequency[i] = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
    }

    /// <summary>cos and sin [B, 1, T, hd] for position ids [B, T].</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positions, ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var frequencies = torch.tensor(inverseFrequency, ScalarType.Float32, positions.device);
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
