using Loom.Tests.Support;
using Loom.Core;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Images;

public class SampleGridTests
{
    [Fact]
    public void GridHasExpectedSizeAndTilesInRowOrder()
    {
        using var scope = NewDisposeScope();
        // 5 images of 1x2x3, image i filled with value 10*(i+1); 3 columns -> 2 rows, last 1 tile empty.
        var images = arange(1, 6, ScalarType.Int64).mul(10).to(ScalarType.Byte).view(5, 1, 1, 1).expand(5, 1, 2, 3).contiguous();
        var grid = SampleGrid.Build(images, columns: 3, padding: 1, padValue: 0);
        Assert.Equal(new long[] { 1, 2 * (2 + 1) + 1, 3 * (3 + 1) + 1 }, grid.shape);
        for (int i = 0; i < 5; i++)
        {
            int r = i / 3, c = i % 3;
            var tile = grid[0].narrow(0, 1 + r * 3, 2).narrow(1, 1 + c * 4, 3);
            Assert.True(tile.eq(10 * (i + 1)).all().item<bool>(), $"tile {i} misplaced");
        }
        // Pixels outside tiles are padding; total tile pixels = 5*6 non-zero.
        Assert.Equal(30, grid.count_nonzero().item<long>());
    }

    [Fact]
    public void WriteProducesPngOfGridSize()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var path = dir.File("grid.png");
        SampleGrid.Write(path, rand(10, 3, 8, 6), padding: 2);
        var back = Png.ReadBytes(path);
        // default columns ceil(sqrt(10)) = 4, rows 3
        Assert.Equal(new long[] { 3, 3 * 10 + 2, 4 * 8 + 2 }, back.shape);
    }

    [Fact]
    public void BadBatchShapeIsRejected()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<LoomDataException>(() => SampleGrid.Build(rand(3, 8, 8)));
        Assert.Contains("[N,C,H,W]", e.Message);
        Assert.Throws<LoomDataException>(() => SampleGrid.Build(rand(2, 2, 8, 8)));
        Assert.Throws<LoomUsageException>(() => SampleGrid.Build(rand(2, 1, 8, 8), columns: 0));
    }

    [Fact]
    public void SplitGivesBackTheTilesBuildDrew()
    {
        using var scope = NewDisposeScope();
        var images = randint(0, 256, [5, 3, 6, 4], ScalarType.Byte);
        var grid = SampleGrid.Build(images, columns: 3);
        var tiles = SampleGrid.Split(grid, 6, 4);
        Assert.Equal(new long[] { 6, 3, 6, 4 }, tiles.shape);   // 2 rows × 3 columns, the last tile blank
        Assert.True((tiles.narrow(0, 0, 5) == images).all().item<bool>());
        Assert.Equal(255, tiles[5].min().item<byte>());
        Assert.True(SampleGrid.HasFrame(grid.to_type(ScalarType.Float32) / 255));
        Assert.Throws<LoomDataException>(() => SampleGrid.Split(grid, 40, 40));
    }
}
