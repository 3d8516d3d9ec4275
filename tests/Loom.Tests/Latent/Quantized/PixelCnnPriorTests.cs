using Loom.Models.Latent.Quantized;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Latent.Quantized;

/// <summary>The PixelCNN prior: its masks, raster-order causality of its logits, and sampling.</summary>
public class PixelCnnPriorTests : OneTorchThread
{
    internal static VqVaeConfig TinyConfig(int classes = 0) => new()
    {
        NumCodes = 8, CodeDim = 4, HiddenChannels = 8, ResidualBlocks = 1, ResidualChannels = 4,
        PriorChannels = 8, PriorLayers = 2, PriorInputKernel = 5, PriorKernel = 3,
        ClassNames = Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray(),
    };

    [Fact]
    public void Masks_open_the_rows_above_and_the_left_of_the_centre_row()
    {
        using var a = MaskedConv2d.CreateMask(3, MaskType.A);
        using var b = MaskedConv2d.CreateMask(3, MaskType.B);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0, 0, 0, 0 }, a.data<float>().ToArray());
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 0, 0, 0, 0 }, b.data<float>().ToArray());
        using var a7 = MaskedConv2d.CreateMask(7, MaskType.A);
        Assert.Equal(24f, a7.sum().ToSingle());
        Assert.Throws<Loom.Core.LoomUsageException>(() => new MaskedConv2d(2, 2, 1, MaskType.A));
    }

    [Theory]
    [InlineData(5, MaskType.A)]
    [InlineData(3, MaskType.B)]
    [InlineData(1, MaskType.B)]
    public void Masked_convolution_equals_a_full_convolution_with_the_masked_kernel(int kernel, MaskType type)
    {
        torch.manual_seed(8);
        MaskedConv2d built;
        using (torch.NewDisposeScope())
            built = new MaskedConv2d(3, 4, kernel, type);   // a module built inside a scope must outlive it
        using var conv = built;
        var parameters = conv.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        Assert.Equal(new long[] { 4, 3, kernel, kernel }, parameters["weight"].shape);
        using var x = torch.randn(2, 3, 7, 7);
        using var mask = MaskedConv2d.CreateMask(kernel, type);
        using var masked = parameters["weight"].detach() * mask;
        // libtorch's convolution as the reference (3 → 4 channels: a shape its oneDNN kernels get right).
        using var expected = nn.functional.conv2d(x, masked, parameters["bias"].detach(), padding: [kernel / 2, kernel / 2]);
        using var actual = conv.forward(x);
        Assert.True(torch.allclose(actual, expected, rtol: 1e-4, atol: 1e-5),
            $"max difference {(actual - expected).abs().max().ToSingle()}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Logits_at_a_position_depend_only_on_earlier_positions(int classes)
    {
        torch.manual_seed(5);
        using var prior = TinyConfig(classes).CreatePrior();
        int s = prior.LatentSize, positions = s * s;
        Assert.Equal(7, s);
        using var codes = torch.randint(0, 8, [2, s, s], dtype: ScalarType.Int64);
        using var labels = classes > 0 ? torch.tensor(new long[] { 1, 2 }) : null;
        foreach (int i in new[] { 0, 1, 6, 7, 24, 48 })
        {
            using var scope = torch.NewDisposeScope();
            var embedded = prior.Embed(codes).detach().requires_grad_(true);
            var logits = prior.LogitsFromEmbeddings(embedded, labels);
            logits[0, .., i / s, i % s].sum().backward();
            // Gradient magnitude per input position of sample 0 (sample 1 must get nothing either).
            var perPosition = embedded.grad![0].abs().sum([0]).reshape(positions).data<float>().ToArray();
            Assert.Equal(0f, embedded.grad![1].abs().sum().ToSingle());
            for (int j = i; j < positions; j++)
                Assert.True(perPosition[j] == 0, $"logits at {i} have gradient {perPosition[j]} from position {j} ≥ {i}");
            if (i > 0)
                Assert.True(perPosition.Take(i).Any(g => g > 0), $"logits at {i} see no earlier position");
            // The immediate left neighbour (same row) and the position above are in view.
            if (i % s > 0) Assert.True(perPosition[i - 1] > 0, $"logits at {i} do not see position {i - 1}");
            if (i >= s) Assert.True(perPosition[i - s] > 0, $"logits at {i} do not see position {i - s}");
        }
    }

    [Fact]
    public void Sampling_is_seeded_and_honours_the_temperature()
    {
        torch.manual_seed(6);
        using var prior = TinyConfig().CreatePrior();
        prior.eval();
        Tensor Draw(long seed, double temperature)
        {
            using var g = Loom.Core.Seeding.Generator(seed, "test");
            return prior.Sample(5, g, temperature);
        }
        using var a = Draw(1, 1.0);
        using var b = Draw(1, 1.0);
        using var c = Draw(2, 1.0);
        Assert.Equal(new long[] { 5, 7, 7 }, a.shape);
        Assert.Equal(ScalarType.Int64, a.dtype);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
        Assert.InRange(a.min().ToInt64(), 0, 7);
        Assert.InRange(a.max().ToInt64(), 0, 7);
        // A very low temperature is greedy: the same seed-independent argmax path.
        using var cold1 = Draw(1, 1e-8);
        using var cold2 = Draw(2, 1e-8);
        Assert.True(cold1.eq(cold2).all().item<bool>());
        using var g0 = Loom.Core.Seeding.Generator(0, "test");
        Assert.Throws<Loom.Core.LoomUsageException>(() => prior.Sample(2, g0, 0));
    }
}
