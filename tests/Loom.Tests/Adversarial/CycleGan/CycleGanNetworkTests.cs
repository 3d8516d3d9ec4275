using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Adversarial.CycleGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial.CycleGan;

public class CycleGanNetworkTests
{
    [Theory]
    [InlineData(28, 2, 7)]
    [InlineData(28, 1, 14)]
    [InlineData(8, 1, 4)]
    public void Generator_keeps_the_shape_in_tanh_range_and_discriminator_gives_a_patch_map(int size, int layers, int patch)
    {
        torch.manual_seed(0);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var config = new CycleGanConfig
        {
            Height = size, Width = size, BaseChannels = 4, Downsamples = layers, ResBlocks = 2,
            DiscriminatorChannels = 4, DiscriminatorLayers = layers
        };
        using var generator = config.CreateGenerator();
        using var discriminator = config.CreateDiscriminator();
        var x = torch.rand(3, 1, size, size) * 2 - 1;
        var y = generator.forward(x);
        Assert.Equal(x.shape, y.shape);
        Assert.True(y.abs().max().ToDouble() <= 1.0);
        Assert.True(y.std().ToDouble() > 1e-3);   // not a constant map
        Assert.Equal(new long[] { 3, 1, patch, patch }, discriminator.forward(x).shape);
    }

    [Fact]
    public void Same_seed_same_networks_and_outputs()
    {
        Tensor Output(long seed)
        {
            torch.manual_seed(seed);
            using var networks = new CycleGanNetworks(CycleGanTestData.Tiny());
            using var noGrad = torch.no_grad();
            var x = torch.linspace(-1, 1, 2 * 64).reshape(2, 1, 8, 8);
            return torch.cat([networks.GeneratorAtoB.forward(x).flatten(), networks.DiscriminatorB.forward(x).flatten()]);
        }
        using var scope = torch.NewDisposeScope();
        var first = Output(3);
        Assert.True(first.eq(Output(3)).all().item<bool>());
        Assert.False(first.allclose(Output(4)));
    }

    [Fact]
    public void Instance_norm_normalises_each_image_and_channel_in_train_and_eval_and_holds_no_state()
    {
        torch.manual_seed(1);
        using var scope = torch.NewDisposeScope();
        using var layer = new ConvNormActivation(1, 4, 3, 1, 1, reflect: true, normalize: true, Activation.None);
        var x = torch.rand(5, 1, 8, 8) * 3 + 2;
        foreach (bool training in new[] { true, false })
        {
            layer.train(training);
            using var noGrad = torch.no_grad();
            var y = layer.forward(x);
            var mean = y.mean([2, 3]);
            var variance = (y - y.mean([2, 3], keepdim: true)).square().mean([2, 3]);
            Assert.True(mean.abs().max().ToDouble() < 1e-4, $"train={training}: per-channel means {mean.abs().max().ToDouble()}");
            Assert.True((variance - 1).abs().max().ToDouble() < 1e-2,
                $"train={training}: per-channel variances off by {(variance - 1).abs().max().ToDouble()}");
        }
        // Only the convolution weight: no affine parameters, no running statistics, no bias before the norm.
        Assert.Equal(["conv.weight"], layer.named_parameters().Select(p => p.name));
        Assert.Empty(layer.named_buffers());
        using var networks = new CycleGanNetworks(CycleGanTestData.Tiny());
        Assert.Empty(networks.named_buffers());
    }

    [Fact]
    public void Config_round_trips_through_json_and_rejects_sizes_the_networks_cannot_take()
    {
        var config = CycleGanTestData.Tiny() with
        {
            DomainA = "Sandal",
            DomainAClass = 5,
            DomainB = "Sneaker",
            DomainBClass = 7,
            DataName = "fashion-mnist"
        };
        var back = CycleGanConfig.FromJson(JsonNode.Parse(config.ToJson().ToJsonString())!.AsObject());
        Assert.Equal(config.ToJson().ToJsonString(), back.ToJson().ToJsonString());
        Assert.Equal(config with { }, back with { });
        Assert.Throws<LoomUsageException>(() => (config with { Height = 30, Width = 30, Downsamples = 2 }).Validate());
        Assert.Throws<LoomUsageException>(() => (config with { Height = 4, Width = 4, Downsamples = 2 }).Validate());
        Assert.Throws<LoomUsageException>(() => (config with { ResBlocks = -1 }).Validate());
        var broken = config.ToJson();
        broken.Remove("generator");
        Assert.Throws<LoomDataException>(() => CycleGanConfig.FromJson(broken));
    }
}
