using static TorchSharp.torch;

namespace Loom.Tests.Support;

/// <summary>Smooth random images for image tests: a seeded 4×4 grid per channel, upsampled bilinearly.</summary>
internal static class SmoothImages
{
    /// <summary><paramref name="n"/> images [n, channels, size, size] in [0, 1].</summary>
    public static Tensor Create(int n, int channels, int size, long seed)
    {
        var coarse = rand([n, channels, 4, 4], generator: new Generator((ulong)seed));
        return nn.functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
