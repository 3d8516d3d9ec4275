using Loom.Core;
using Loom.IO.Images;
using Loom.Watermarks.Images;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Watermarks.Images;

/// <summary><see cref="ImageWatermarkFiles"/>: mark a PNG, find the mark in it and in each image of a sample grid.</summary>
public sealed class ImageWatermarkFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loom-watermark-files-").FullName;
    private static readonly ImageWatermarkOptions Options = ImageWatermarkOptions.WithKey("files-test");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static torch.Tensor Smooth(int n, int side, long seed) => SmoothImages.Create(n, 3, side, seed);

    [Fact]
    public void A_marked_png_is_detected_the_original_is_not_and_the_psnr_is_the_written_files()
    {
        using var scope = torch.NewDisposeScope();
        Png.Write(PathOf("plain.png"), Smooth(1, 64, 1)[0]);
        double psnr = ImageWatermarkFiles.Embed(PathOf("plain.png"), PathOf("marked.png"), Options);

        var plain = Png.Read(PathOf("plain.png"));
        var marked = Png.Read(PathOf("marked.png"));
        double mse = marked.sub(plain).pow(2).mean().item<float>();
        Assert.Equal(10 * Math.Log10(1 / mse), psnr, 3);
        Assert.InRange(psnr, 30, 80);
        Assert.True(ImageWatermarkFiles.Detect(PathOf("marked.png"), Options).Detection.Detected);
        var unmarked = ImageWatermarkFiles.Detect(PathOf("plain.png"), Options);
        Assert.False(unmarked.Detection.Detected);
        Assert.False(unmarked.LooksLikeSampleGrid);
        Assert.False(ImageWatermarkFiles.Detect(PathOf("marked.png"), ImageWatermarkOptions.WithKey("other")).Detection.Detected);
    }

    [Fact]
    public void Each_image_of_a_grid_is_checked_and_a_marked_grid_is_recognised_as_one()
    {
        using var scope = torch.NewDisposeScope();
        var images = Smooth(4, 32, 2);
        var marked = new ImageWatermarker(Options).Embed(images);
        SampleGrid.Write(PathOf("grid.png"), torch.cat([marked.narrow(0, 0, 2), images.narrow(0, 2, 1), marked.narrow(0, 3, 1)], 0));

        var tiles = ImageWatermarkFiles.DetectTiles(PathOf("grid.png"), 32, 32, Options);
        Assert.Equal([true, true, false, true], tiles.Select(t => t.Detected));
        var whole = ImageWatermarkFiles.Detect(PathOf("grid.png"), Options);
        Assert.False(whole.Detection.Detected);
        Assert.True(whole.LooksLikeSampleGrid);
    }

    [Fact]
    public void Images_too_small_for_the_mark_are_refused()
    {
        using var scope = torch.NewDisposeScope();
        Png.Write(PathOf("tiny.png"), torch.rand(1, 8, 8));
        var tooSmall = Assert.Throws<LoomDataException>(() => ImageWatermarkFiles.Detect(PathOf("tiny.png"), Options));
        Assert.Contains("too small", tooSmall.Message);
        Assert.Equal("Tile", Assert.Throws<LoomUsageException>(() =>
            ImageWatermarkFiles.DetectTiles(PathOf("tiny.png"), 8, 8, Options)).Option);
    }
}
