using Loom.Models.WaveNet;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.WaveNet;

/// <summary>Tiny seeded WaveNets and level sequences.</summary>
public static class WaveNetFixtures
{
    public static WaveNetModel Model(int layersPerStack = 3, int stacks = 2, int classes = 0, int channels = 6, long seed = 3,
        int timelineFeatures = 0)
    {
        torch.manual_seed(seed);
        var config = new WaveNetConfig
        {
            ResidualChannels = channels, SkipChannels = 10, LayersPerStack = layersPerStack, Stacks = stacks,
            ClassNames = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(),
            TimelineFeatures = timelineFeatures, TimelineChannels = 5,
        };
        var network = new WaveNetNetwork(config);
        // Larger weights than the default initialisation, so every path carries a clearly nonzero gradient.
        using (torch.no_grad())
            foreach (var p in network.parameters())
                p.mul_(2);
        network.eval();
        return new WaveNetModel(network);
    }

    public static Tensor Levels(int n, int length, long seed) =>
        torch.randint(0, 256, [n, length], ScalarType.Int64, generator: new torch.Generator((ulong)seed));
}
