using Loom.Models.PixelCnn;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.PixelCnn;

/// <summary>Small seeded PixelCNNs and inputs for the family's tests.</summary>
internal static class PixelCnnFixtures
{
    public static PixelCnnModel Model(PixelCnnHead head, int height, int width, int layers, int classes = 0, int firstKernel = 3,
        long seed = 1)
    {
        torch.manual_seed(seed);
        var config = new PixelCnnConfig
        {
            Head = head, Channels = 16, Layers = layers, FirstKernel = firstKernel, Kernel = 3, OutputHidden = 16, Height = height,
            Width = width, ClassNames = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(),
        };
        var model = new PixelCnnModel(new PixelCnnNetwork(config));
        model.Network.eval();
        return model;
    }

    /// <summary>Random pixels [n, 1, h, w] for the head: 0/1 or levels 0..255, as float32.</summary>
    public static Tensor Pixels(PixelCnnHead head, int n, int height, int width, long seed)
    {
        var g = new torch.Generator((ulong)seed);
        return head == PixelCnnHead.Binary
            ? torch.bernoulli(torch.full([n, 1, height, width], 0.5f), generator: g)
            : torch.randint(0, 256, [n, 1, height, width], generator: g).to(ScalarType.Float32);
    }
}
