using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// RealNVP's squeeze: each 2×2 block of pixels becomes 4 channels, [n, c, h, w] → [n, 4c, h/2, w/2]
/// (unsqueeze inverts it); a permutation, so log|det J| = 0. Needs even height and width.
/// </summary>
public sealed class Squeeze : FlowLayer
{
    public Squeeze() : base("squeeze")
    {
    }

    /// <summary>Throws a usage error naming the image size unless both sides are even.</summary>
    public static void RequireEven(long height, long width)
    {
        if (height % 2 != 0 || width % 2 != 0)
            throw LoomUsageException.ForOption("Image", $"squeeze needs an even height and width, got {height}×{width}");
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        RequireEven(h, w);
        var z = x.reshape(n, c, h / 2, 2, w / 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(n, c * 4, h / 2, w / 2);
        return (z, NoVolumeChange(x));
    }

    public override Tensor Inverse(Tensor z)
    {
        long n = z.shape[0], c = z.shape[1] / 4, h = z.shape[2], w = z.shape[3];
        return z.reshape(n, c, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3).reshape(n, c, h * 2, w * 2);
    }
}
