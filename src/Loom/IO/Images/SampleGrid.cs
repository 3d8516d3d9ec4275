using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO.Images;

/// <summary>Tiles a batch of images [N,C,H,W] into one PNG grid, row by row.</summary>
public static class SampleGrid
{
    /// <summary>
    /// Writes <paramref name="images"/> ([N,C,H,W], C = 1, 3 or 4; float in [0,1] or uint8) as a grid PNG with
    /// <paramref name="columns"/> columns (default: ceil(sqrt(N))) and <paramref name="padding"/> pixels of
    /// <paramref name="padValue"/> (0..1 intensity) around and between the tiles.
    /// </summary>
    public static void Write(string path, Tensor images, int? columns = null, int padding = 2, double padValue = 1.0)
    {
        using var scope = NewDisposeScope();
        Png.Write(path, Build(images, columns, padding, padValue, path));
    }

    /// <summary>Builds the grid as a uint8 tensor [C, rows*(H+p)+p, cols*(W+p)+p].</summary>
    public static Tensor Build(Tensor images, int? columns = null, int padding = 2, double padValue = 1.0, string name = "images")
    {
        if (images.dim() != 4 || images.shape[0] < 1 || images.shape[1] is not (1 or 3 or 4))
            throw new LoomDataException(
                $"{name}: image batch must be [N,C,H,W] with N >= 1 and C = 1, 3 or 4, got [{string.Join(",", images.shape)}]");
        if (padding < 0)
            throw new LoomUsageException($"{name}: grid padding must be >= 0, got {padding}");
        if (columns is < 1)
            throw new LoomUsageException($"{name}: grid columns must be >= 1, got {columns}");
        if (padValue is < 0 or > 1 || double.IsNaN(padValue))
            throw new LoomUsageException($"{name}: grid pad value must be in [0,1], got {padValue}");
        using var scope = NewDisposeScope();
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        long cols = Math.Min(columns ?? (long)Math.Ceiling(Math.Sqrt(n)), n);
        long rows = (n + cols - 1) / cols;
        var bytes = ToBytes(images, name);
        byte pad = (byte)Math.Round(padValue * 255);
        var tiles = full([rows * cols, c, h + padding, w + padding], pad, ScalarType.Byte);
        tiles.narrow(0, 0, n).narrow(2, padding, h).narrow(3, padding, w).copy_(bytes);
        var grid = tiles.view(rows, cols, c, h + padding, w + padding)
            .permute(2, 0, 3, 1, 4)
            .reshape(c, rows * (h + padding), cols * (w + padding));
        var result = full([c, rows * (h + padding) + padding, cols * (w + padding) + padding], pad, ScalarType.Byte);
        result.narrow(1, 0, rows * (h + padding)).narrow(2, 0, cols * (w + padding)).copy_(grid);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The inverse of <see cref="Build"/>: the <paramref name="height"/>×<paramref name="width"/> tiles of a grid image
    /// [C, H, W] drawn with <paramref name="padding"/>, row by row, as one batch [N, C, height, width] (trailing blank tiles
    /// included). Throws <see cref="LoomDataException"/> when the grid holds no tile of that size.
    /// </summary>
    public static Tensor Split(Tensor grid, int height, int width, int padding = 2, string name = "grid")
    {
        if (height < 1 || width < 1 || padding < 0)
            throw new LoomUsageException($"{name}: tiles need a positive size and padding >= 0, got {height}×{width}, padding {padding}");
        long c = grid.shape[0], rows = (grid.shape[1] - padding) / (height + padding), cols = (grid.shape[2] - padding) / (width + padding);
        if (rows < 1 || cols < 1)
            throw new LoomDataException($"{name}: {grid.shape[1]}×{grid.shape[2]} pixels holds no {height}×{width} tile of a sample grid");
        using var scope = NewDisposeScope();
        return grid.narrow(1, padding, rows * (height + padding)).narrow(2, padding, cols * (width + padding))
            .reshape(c, rows, height + padding, cols, width + padding)
            .permute(1, 3, 0, 2, 4)
            .narrow(3, 0, height).narrow(4, 0, width)
            .reshape(rows * cols, c, height, width)
            .MoveToOuterDisposeScope();
    }

    /// <summary>True when an image [C, H, W] in [0,1] has the white frame <see cref="Build"/> draws with its default pad value
    /// (its first <paramref name="padding"/> rows and columns are white).</summary>
    public static bool HasFrame(Tensor image, int padding = 2)
    {
        using var scope = NewDisposeScope();
        return image.narrow(1, 0, padding).min().item<float>() >= 1f && image.narrow(2, 0, padding).min().item<float>() >= 1f;
    }

    private static Tensor ToBytes(Tensor images, string name)
    {
        var t = images.cpu();
        if (t.dtype == ScalarType.Byte)
            return t;
        if (!t.is_floating_point())
            throw new LoomDataException($"{name}: images must be float (0..1) or uint8, got {t.dtype}");
        if (t.isnan().any().item<bool>())
            throw new LoomDataException($"{name}: images contain NaN");
        return t.to(ScalarType.Float32).clamp(0, 1).mul(255).round().to(ScalarType.Byte);
    }
}
