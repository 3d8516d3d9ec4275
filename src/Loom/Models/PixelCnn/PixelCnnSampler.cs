using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// Autoregressive sampling of a <see cref="PixelCnnModel"/>: one network pass per pixel, in raster order. A pass for a pixel
/// in row r runs on rows r − <see cref="RowsAbove"/> … r only (the logits of row r depend on nothing below it and on nothing
/// further up), so a sample costs H·W passes over a band of rows. Every draw is a uniform number from one seeded
/// generator: a Bernoulli pixel is 1 when u &lt; σ(logit / T), a 256-way pixel the first level whose cumulative
/// softmax(logits / T) exceeds u.
/// </summary>
public static class PixelCnnSampler
{
    /// <summary>
    /// How many rows above its own the logits of a pixel can see: the first layer's vertical stack k₁/2, each later layer
    /// k/2 more, and one for the shift from the vertical to the horizontal stack.
    /// </summary>
    public static int RowsAbove(PixelCnnConfig config) => 1 + config.FirstKernel / 2 + (config.Layers - 1) * (config.Kernel / 2);

    /// <summary>Pixels [count, 1, H, W]: 0/1 (binary head) or levels 0..255 (byte head), on the CPU.</summary>
    public static Tensor Draw(PixelCnnModel model, int count, Tensor? labels, double temperature, long seed)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var network = model.Network;
        network.eval();
        var config = model.Config;
        var device = network.parameters().First().device;
        using var generator = Seeding.Generator(seed, "pixelcnn-sample");
        var uniforms = torch.rand([config.Height, config.Width, count], generator: generator).to(device);
        var pixels = torch.zeros([count, 1, config.Height, config.Width], device: device);
        var y = labels?.to(device);
        int reach = RowsAbove(config);
        for (int r = 0; r < config.Height; r++)
        {
            for (int c = 0; c < config.Width; c++)
            {
                using var step = torch.NewDisposeScope();
                int top = Math.Max(0, r - reach);
                var band = pixels.narrow(2, top, r + 1 - top);
                var logits = network.Logits(band, y).select(3, c).select(2, r - top) / temperature;   // [n, outputs]
                var u = uniforms[r, c];
                Tensor value;
                if (config.Head == PixelCnnHead.Binary)
                    value = u.lt(torch.sigmoid(logits.squeeze(1))).to(ScalarType.Float32);
                else
                {
                    var cumulative = torch.softmax(logits.to(ScalarType.Float64), 1).cumsum(1);
                    value = cumulative.lt(u.to(ScalarType.Float64).unsqueeze(1)).sum(1).clamp(0, 255).to(ScalarType.Float32);
                }
                pixels.select(3, c).select(2, r).select(1, 0).copy_(value);
            }
        }
        return pixels.cpu().MoveToOuterDisposeScope();
    }
}
