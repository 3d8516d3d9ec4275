using Loom.Core;
using Loom.IO.Images;
using TorchSharp;

namespace Loom.Watermarks.Images;

/// <summary>What <see cref="ImageWatermarkFiles.Detect"/> found in one PNG.</summary>
/// <param name="Detection">The verdict on the whole image.</param>
/// <param name="LooksLikeSampleGrid">True when the image is unmarked but has the white frame of a sample grid, whose
/// images each carry their own mark (check them with <see cref="ImageWatermarkFiles.DetectTiles"/>).</param>
public sealed record ImageWatermarkFileDetection(ImageWatermarkDetection Detection, bool LooksLikeSampleGrid);

/// <summary>
/// The invisible image watermark on PNG files: mark one (<see cref="Embed"/>), check one (<see cref="Detect"/>) or check
/// each image of a sample grid (<see cref="DetectTiles"/>).
/// </summary>
public static class ImageWatermarkFiles
{
    /// <summary>Marks the PNG <paramref name="source"/> into <paramref name="target"/>; returns the PSNR (dB) of the
    /// written, 8-bit image against the source.</summary>
    public static double Embed(string source, string target, ImageWatermarkOptions options)
    {
        using var scope = torch.NewDisposeScope();
        var pixels = Png.Read(source);
        var marked = new ImageWatermarker(options).Embed(pixels);
        Png.Write(target, marked);
        double mse = ImageDistortions.Quantise(marked).sub(pixels).pow(2).mean().item<float>();
        return 10 * Math.Log10(1 / Math.Max(mse, 1e-12));
    }

    /// <summary>Looks for the watermark in the PNG <paramref name="path"/>; a data error when the image is too small to carry it.</summary>
    public static ImageWatermarkFileDetection Detect(string path, ImageWatermarkOptions options)
    {
        using var scope = torch.NewDisposeScope();
        var pixels = Png.Read(path);
        if (pixels.shape[1] < ImageWatermarkOptions.MinSide || pixels.shape[2] < ImageWatermarkOptions.MinSide)
            throw new LoomDataException($"{path}: {pixels.shape[1]}×{pixels.shape[2]} pixels is too small to carry the watermark "
                + $"(at least {ImageWatermarkOptions.MinSide}×{ImageWatermarkOptions.MinSide})");
        var result = new ImageWatermarkDetector(options).Detect(pixels);
        return new ImageWatermarkFileDetection(result, !result.Detected && SampleGrid.HasFrame(pixels));
    }

    /// <summary>
    /// Checks each image of the sample grid <paramref name="path"/> (tiles of <paramref name="height"/>×<paramref name="width"/>
    /// in the frame <see cref="SampleGrid"/> draws), in grid order; a usage error on <c>Tile</c> when tiles that small
    /// cannot carry the mark.
    /// </summary>
    public static IReadOnlyList<ImageWatermarkDetection> DetectTiles(string path, int height, int width, ImageWatermarkOptions options)
    {
        if (height < ImageWatermarkOptions.MinSide || width < ImageWatermarkOptions.MinSide)
            throw LoomUsageException.ForOption("Tile", $"images of {height}×{width} are too small to carry the watermark "
                + $"(at least {ImageWatermarkOptions.MinSide}×{ImageWatermarkOptions.MinSide})");
        using var scope = torch.NewDisposeScope();
        var pixels = Png.Read(path);
        return new ImageWatermarkDetector(options).DetectAll(SampleGrid.Split(pixels, height, width, name: path));
    }
}
