using Loom.Core;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// Inpainting masks as <see cref="DiffusionRequest.Mask"/> takes them: "keep" weights [1, 1, H, W], 1 keeps the input
/// pixel and 0 regenerates it. Made from a region name (<see cref="Regions"/>) or a PNG where white marks the pixels to
/// regenerate (as in diffusers).
/// </summary>
public static class InpaintMask
{
    /// <summary>The named regions: a half of the image (top, bottom, left, right) or its central half in each direction.</summary>
    public static IReadOnlyList<string> Regions { get; } = ["top", "bottom", "left", "right", "center"];

    /// <summary>The mask for a region name or PNG path, for images of <paramref name="h"/> × <paramref name="w"/> pixels.</summary>
    public static Tensor Read(string source, long h, long w)
    {
        using var scope = torch.NewDisposeScope();
        var regenerate = torch.zeros(h, w);
        switch (source.Trim().ToLowerInvariant())
        {
            case "top": regenerate[..(int)(h / 2), ..] = 1; break;
            case "bottom": regenerate[(int)(h / 2).., ..] = 1; break;
            case "left": regenerate[.., ..(int)(w / 2)] = 1; break;
            case "right": regenerate[.., (int)(w / 2)..] = 1; break;
            case "center": regenerate[(int)(h / 4)..(int)(3 * h / 4), (int)(w / 4)..(int)(3 * w / 4)] = 1; break;
            default:
                var png = Png.Read(source);
                if (png.shape[1] != h || png.shape[2] != w)
                    throw LoomUsageException.ForOption("Mask", $"{source} is {png.shape[2]}×{png.shape[1]}; the image is {w}×{h}");
                regenerate = (png[..(int)Math.Min(3, png.shape[0])].mean([0]) >= 0.5f).to(ScalarType.Float32);
                break;
        }
        return (1 - regenerate).reshape(1, 1, h, w).MoveToOuterDisposeScope();
    }
}
