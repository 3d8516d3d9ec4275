using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Binary masks of coupling layers: 1 marks the dimensions that pass through unchanged and condition the others. Shaped to
/// broadcast over a batch: [1, d] for vectors, [1, c, h, w] for images.
/// </summary>
public static class CouplingMasks
{
    /// <summary>Vectors: dimensions of parity <paramref name="parity"/> (0 or 1) pass; alternating layers swap the roles.</summary>
    public static Tensor Alternating(int dimensions, int parity) =>
        (torch.arange(dimensions).remainder(2) == parity).to(ScalarType.Float32).unsqueeze(0);

    /// <summary>Vectors: the first half passes (<paramref name="flip"/>: the second half).</summary>
    public static Tensor Half(int dimensions, bool flip)
    {
        var first = (torch.arange(dimensions) < (dimensions + 1) / 2).to(ScalarType.Float32);
        return (flip ? 1 - first : first).unsqueeze(0);
    }

    /// <summary>Images: pixels with (row + column) of parity <paramref name="parity"/> pass, in every channel (RealNVP).</summary>
    public static Tensor Checkerboard(int channels, int height, int width, int parity)
    {
        var sum = torch.arange(height).unsqueeze(1) + torch.arange(width).unsqueeze(0);
        var mask = (sum.remainder(2) == parity).to(ScalarType.Float32);
        return mask.expand(channels, height, width).unsqueeze(0).contiguous();
    }

    /// <summary>Images: the first half of the channels passes (<paramref name="flip"/>: the second half), at every pixel.</summary>
    public static Tensor Channel(int channels, int height, int width, bool flip)
    {
        var first = (torch.arange(channels) < channels / 2).to(ScalarType.Float32);
        if (flip) first = 1 - first;
        return first.reshape(1, channels, 1, 1).expand(1, channels, height, width).contiguous();
    }
}
