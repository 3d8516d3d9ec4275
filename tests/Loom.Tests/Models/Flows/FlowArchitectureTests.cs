using Loom.Models;
using Loom.Models.Flows;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Flows;

/// <summary>Whole architectures invert and report their Jacobian's log|det|: vectors with D = 4, images 1×4×4.</summary>
public class FlowArchitectureTests
{
    [Theory]
    [InlineData("realnvp")]
    [InlineData("glow")]
    [InlineData("maf")]
    [InlineData("spline")]
    public void VectorArchitectureInvertsAndHasTheJacobiansLogDet(string architecture)
    {
        var config = new FlowConfig
        {
            Architecture = FlowArchitectures.Parse(architecture), Dimensions = 4, Layers = 3, Hidden = 16, HiddenLayers = 2, Bins = 5,
            TailBound = 2, Seed = 1,
        };
        var network = FlowNetworks.Build(config);
        var x = torch.randn([6, 4], ScalarType.Float64, generator: new Generator(5)) * 1.5;
        network.to(ScalarType.Float64);
        network.Forward(x);   // ActNorm's data-dependent initialisation
        FlowChecks.AssertInvertibleWithExactLogDet(FlowChecks.Randomized(network, seed: 9, scale: 0.2), x);
    }

    [Theory]
    [InlineData("realnvp")]
    [InlineData("glow")]
    public void ImageArchitectureInvertsAndHasTheJacobiansLogDet(string architecture)
    {
        var config = new FlowConfig
        {
            Architecture = FlowArchitectures.Parse(architecture), Dimensions = 16, Image = new ImageShape(1, 4, 4), Layers = 2, Hidden = 8,
            Scales = 2, LogitAlpha = 0.05,
        };
        var network = FlowNetworks.Build(config);
        var x = 0.05 + 0.9 * torch.rand([3, 1, 4, 4], ScalarType.Float64, generator: new Generator(6));
        network.to(ScalarType.Float64);
        network.Forward(x);
        var randomized = FlowChecks.Randomized(network, seed: 10, scale: 0.1);
        FlowChecks.AssertInvertibleWithExactLogDet(randomized, x);
        Assert.Equal([3L, 16L], randomized.Forward(x).Z.shape);
    }

    [Fact]
    public void TemperatureScalesTheLatentAndSamplesAreSeeded()
    {
        using var model = new FlowModel(new FlowConfig { Architecture = FlowArchitecture.Maf, Dimensions = 3, Layers = 2, Hidden = 8 });
        FlowChecks.Randomized(model.Network, seed: 3, scale: 0.1);
        model.Network.to(ScalarType.Float32);
        var request = new SampleRequest { Count = 200, Seed = 4 };
        using var a = (TensorSamples)model.Sample(request);
        using var b = (TensorSamples)model.Sample(request);
        using var cold = (TensorSamples)model.Sample(request with { Temperature = 0.5 });
        Assert.True(a.Values.eq(b.Values).all().item<bool>());
        var spread = model.Encode(a.Values).std().item<float>();
        var coldSpread = model.Encode(cold.Values).std().item<float>();
        Assert.InRange(coldSpread / spread, 0.49, 0.51);
    }

    [Fact]
    public void UnknownArchitectureNamesTheChoices()
    {
        var e = Assert.Throws<Loom.Core.LoomUsageException>(() => FlowArchitectures.Parse("nice"));
        Assert.Contains("realnvp, glow, maf or spline", e.Message);
    }
}
