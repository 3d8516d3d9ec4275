using Loom.Core;
using Loom.IO.Images;
using Loom.Models.Diffusion;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Diffusion;

/// <summary>Inpainting masks: named regions keep the right pixels, a PNG's white pixels are regenerated, sizes are checked.</summary>
public sealed class InpaintMaskTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public void Regions_regenerate_their_part_of_the_image()
    {
        using var top = InpaintMask.Read("top", 4, 6);
        Assert.Equal(new long[] { 1, 1, 4, 6 }, top.shape);
        Assert.Equal(0f, top[0, 0, ..2].sum().item<float>());
        Assert.Equal(12f, top[0, 0, 2..].sum().item<float>());
        using var right = InpaintMask.Read(" Right ", 4, 6);
        Assert.Equal(12f, right[0, 0, .., ..3].sum().item<float>());
        Assert.Equal(0f, right[0, 0, .., 3..].sum().item<float>());
        using var center = InpaintMask.Read("center", 4, 8);
        Assert.Equal(32f - 2 * 4, center.sum().item<float>());
        Assert.Equal(0f, center[0, 0, 1, 2].item<float>());
        Assert.Equal(1f, center[0, 0, 0, 0].item<float>());
        Assert.Equal(InpaintMask.Regions.Count, InpaintMask.Regions.Distinct().Count());
    }

    [Fact]
    public void A_png_marks_in_white_what_to_regenerate()
    {
        using var marks = torch.zeros(3, 3, 3);
        marks[.., 1, 2] = 1;
        Png.Write(work.File("mask.png"), marks);
        using var keep = InpaintMask.Read(work.File("mask.png"), 3, 3);
        Assert.Equal(0f, keep[0, 0, 1, 2].item<float>());
        Assert.Equal(8f, keep.sum().item<float>());
        Assert.Equal("Mask", Assert.Throws<LoomUsageException>(() => InpaintMask.Read(work.File("mask.png"), 4, 4)).Option);
    }
}
