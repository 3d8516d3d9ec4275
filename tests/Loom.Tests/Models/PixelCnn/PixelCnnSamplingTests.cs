using Loom.Core;
using Loom.Models;
using Loom.Models.PixelCnn;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.PixelCnn;

/// <summary>Pixel-by-pixel sampling: reproducible from a seed, drawn from the model's own distribution, temperature and classes.</summary>
public class PixelCnnSamplingTests
{
    [Theory]
    [InlineData(PixelCnnHead.Binary)]
    [InlineData(PixelCnnHead.Byte)]
    public void TheSameSeedGivesTheSameImages(PixelCnnHead head)
    {
        using var model = PixelCnnFixtures.Model(head, 5, 4, layers: 2);
        using var a = (TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 3 });
        using var b = (TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 3 });
        using var c = (TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 4 });
        Assert.Equal([6L, 1, 5, 4], a.Values.shape);
        Assert.True(a.Values.equal(b.Values).all().item<bool>());
        Assert.False(a.Values.equal(c.Values).all().item<bool>());
        Assert.True(a.Values.min().ToDouble() >= 0 && a.Values.max().ToDouble() <= 1);
        using var levels = a.Values * (head == PixelCnnHead.Binary ? 1 : 255);
        Assert.True(levels.equal(levels.round()).all().item<bool>(), "pixels are not on the head's levels");
    }

    [Fact]
    public void SampleFrequenciesMatchTheExactProbabilities()
    {
        // 2×2 binary images: 16 outcomes whose probabilities the likelihood gives exactly.
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, 2, 2, layers: 2, seed: 4);
        using var scope = torch.NewDisposeScope();
        const int n = 8000;
        var samples = (TensorSamples)model.Sample(new SampleRequest { Count = n, Seed = 1 });
        var codes = samples.Values.reshape(n, 4).mul(torch.tensor(new float[] { 1, 2, 4, 8 })).sum(1).to(ScalarType.Int64);
        var counts = torch.bincount(codes, minlength: 16).to(ScalarType.Float64) / n;
        var all = torch.arange(16).unsqueeze(1).bitwise_right_shift(torch.arange(4)).bitwise_and(1).to(ScalarType.Float32)
            .reshape(16, 1, 2, 2);
        var exact = (-model.PixelNll(all)).exp();
        double worst = (counts - exact).abs().max().ToDouble();
        Assert.True(worst < 0.025, $"largest frequency error {worst}");
    }

    [Fact]
    public void LowTemperatureSamplesAreMoreLikely()
    {
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Byte, 4, 4, layers: 2);
        using var scope = torch.NewDisposeScope();
        var hot = (TensorSamples)model.Sample(new SampleRequest { Count = 40, Seed = 2 });
        var cold = (TensorSamples)model.Sample(new SampleRequest { Count = 40, Seed = 2, Temperature = 0.3 });
        double hotNll = model.PixelNll((hot.Values * 255).round()).mean().ToDouble();
        double coldNll = model.PixelNll((cold.Values * 255).round()).mean().ToDouble();
        Assert.True(coldNll < hotNll, $"T=0.3 NLL {coldNll} vs T=1 {hotNll}");
        Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Temperature = 0 }));
    }

    [Fact]
    public void AConditionalModelSamplesTheRequestedClassOrSpreadsThem()
    {
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, 3, 3, layers: 2, classes: 3);
        using var one = (TensorSamples)model.Sample(new SampleRequest { Count = 4, Class = 2 });
        Assert.Equal([2L, 2, 2, 2], one.Labels!.data<long>().ToArray());
        using var spread = (TensorSamples)model.Sample(new SampleRequest { Count = 4 });
        Assert.Equal([0L, 1, 2, 0], spread.Labels!.data<long>().ToArray());
        Assert.Equal(["c0", "c1", "c2"], spread.ClassNames!);
        Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Class = 3 }));
        using var plain = PixelCnnFixtures.Model(PixelCnnHead.Binary, 3, 3, layers: 2);
        Assert.Throws<LoomUsageException>(() => plain.Sample(new SampleRequest { Class = 0 }));
    }
}
