using Loom.Models.PixelCnn;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.PixelCnn;

/// <summary>
/// The autoregressive property of the Gated PixelCNN: the logits at pixel i (raster order) have exactly zero gradient with
/// respect to every input pixel at or after i, and — with as many layers as the image is wide and high — a nonzero gradient
/// with respect to every pixel before i, the up-right ones included (no blind spot).
/// </summary>
public class PixelCnnCausalityTests
{
    public static TheoryData<PixelCnnHead, int, int, int, int> Cases => new()
    {
        // head, height, width, classes, first kernel
        { PixelCnnHead.Binary, 5, 6, 0, 3 },
        { PixelCnnHead.Byte, 5, 6, 0, 3 },
        { PixelCnnHead.Binary, 4, 5, 3, 5 },
        { PixelCnnHead.Byte, 6, 4, 3, 7 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPixelDependsOnExactlyThePixelsBeforeIt(PixelCnnHead head, int height, int width, int classes, int firstKernel)
    {
        using var model = PixelCnnFixtures.Model(head, height, width, layers: Math.Max(height, width) + 1, classes, firstKernel);
        using var scope = torch.NewDisposeScope();
        var x = PixelCnnFixtures.Pixels(head, 2, height, width, seed: 7).requires_grad_();
        var labels = classes > 0 ? torch.tensor(new long[] { 1, 2 }) : null;
        var logits = model.Network.Logits(x, labels);
        for (int i = 0; i < height * width; i++)
        {
            int r = i / width, c = i % width;
            var grad = torch.autograd.grad([logits[.., .., r, c].sum()], [x], retain_graph: true)[0];
            var influence = grad.abs().sum([0, 1]);   // [h, w]
            for (int j = 0; j < height * width; j++)
            {
                double g = influence[j / width, j % width].ToDouble();
                if (j >= i)
                    Assert.True(g == 0, $"pixel {i} ({r},{c}) has gradient {g} w.r.t. pixel {j} at or after it");
                else
                    Assert.True(g > 0, $"pixel {i} ({r},{c}) does not see pixel {j} ({j / width},{j % width}) before it: a blind spot");
            }
        }
    }

    [Fact]
    public void AShallowNetworkStillSeesThePixelUpAndRightOfTheRightEdgeColumn()
    {
        // Two layers: the first layer's vertical stack already covers the row above one column to either side.
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, 6, 6, layers: 2);
        using var scope = torch.NewDisposeScope();
        var x = PixelCnnFixtures.Pixels(PixelCnnHead.Binary, 1, 6, 6, seed: 3).requires_grad_();
        var logits = model.Network.Logits(x, null);
        foreach (var (r, c) in new[] { (3, 2), (3, 4), (5, 0) })
        {
            var grad = torch.autograd.grad([logits[0, 0, r, c]], [x], retain_graph: true)[0][0, 0];
            Assert.True(grad[r - 1, c + 1].abs().ToDouble() > 0, $"({r},{c}) does not see ({r - 1},{c + 1})");
            Assert.True(grad[r, c].abs().ToDouble() == 0, $"({r},{c}) sees itself");
        }
        var edge = torch.autograd.grad([logits[0, 0, 3, 5]], [x])[0][0, 0];
        Assert.True(edge[2, 5].abs().ToDouble() > 0 && edge[2, 4].abs().ToDouble() > 0, "the right edge pixel does not see the row above");
        Assert.Equal(0.0, edge[3, 5].abs().ToDouble());
    }

    [Theory]
    [InlineData(PixelCnnHead.Binary, 3)]
    [InlineData(PixelCnnHead.Byte, 5)]
    public void ABandOfRowsGivesTheSameLogitsForItsLastRowAsTheWholeImage(PixelCnnHead head, int firstKernel)
    {
        // Sampling runs the network on rows r − RowsAbove … r only; that is exact because nothing below row r and nothing
        // further up reaches row r — and RowsAbove is tight: one row fewer changes the logits.
        const int h = 12, w = 4;
        using var model = PixelCnnFixtures.Model(head, h, w, layers: 3, firstKernel: firstKernel);
        int reach = PixelCnnSampler.RowsAbove(model.Config);
        Assert.Equal(1 + firstKernel / 2 + 2, reach);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = PixelCnnFixtures.Pixels(head, 3, h, w, seed: 9);
        var full = model.Network.Logits(x, null);
        for (int r = 0; r < h; r++)
        {
            int top = Math.Max(0, r - reach);
            var band = model.Network.Logits(x.narrow(2, top, r + 1 - top), null).select(2, r - top);
            Assert.True(band.allclose(full.select(2, r), rtol: 1e-5, atol: 1e-5), $"row {r} differs");
        }
        var shorter = model.Network.Logits(x.narrow(2, h - reach, reach), null).select(2, reach - 1);
        Assert.False(shorter.allclose(full.select(2, h - 1), rtol: 1e-5, atol: 1e-5), "a band one row shorter gave the same logits");
    }
}
