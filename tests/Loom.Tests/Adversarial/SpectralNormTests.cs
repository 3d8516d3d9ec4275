using Loom.Models.Adversarial;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial;

/// <summary>Loom's power-iteration spectral normalization against the singular values from an SVD.</summary>
public class SpectralNormTests
{
    public static TheoryData<string> Layers => ["linear", "conv2d"];

    private static SpectralNormLayer Create(string kind) =>
        kind == "linear" ? new SpectralNormLinear(7, 5) : new SpectralNormConv2d(3, 4, 3, stride: 2, padding: 1);

    private static double LargestSingularValue(Tensor weight)
    {
        using var scope = torch.NewDisposeScope();
        return torch.linalg.svdvals(weight.detach().to(ScalarType.Float64).reshape(weight.shape[0], -1))[0].ToDouble();
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Power_iteration_finds_the_largest_singular_value_and_the_normalized_weight_has_norm_one(string kind)
    {
        torch.manual_seed(3);
        using var layer = Create(kind);
        layer.PowerIteration(500);
        double exact = LargestSingularValue(layer.RawWeight);
        Assert.True(Math.Abs(layer.SigmaEstimate() - exact) <= 1e-4 * exact, $"σ estimate {layer.SigmaEstimate()} vs SVD {exact}");
        using var normalized = layer.NormalizedWeight();
        Assert.Equal(1.0, LargestSingularValue(normalized), 4);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Training_forward_passes_iterate_the_saved_vectors_and_evaluation_passes_do_not(string kind)
    {
        torch.manual_seed(4);
        using var layer = Create(kind);
        var names = layer.named_buffers().Select(b => b.name).ToList();
        Assert.Equal(["weight_u", "weight_v"], names);
        Assert.Contains("weight_orig", layer.named_parameters().Select(p => p.name));
        using var x = kind == "linear" ? torch.randn(2, 7) : torch.randn(2, 3, 6, 6);
        double before = layer.SigmaEstimate();
        layer.train();
        for (int i = 0; i < 300; i++)
            layer.forward(x).Dispose();
        double exact = LargestSingularValue(layer.RawWeight);
        Assert.NotEqual(before, layer.SigmaEstimate());
        Assert.True(Math.Abs(layer.SigmaEstimate() - exact) <= 1e-4 * exact);
        var u = layer.get_buffer("weight_u")!.clone();
        layer.eval();
        layer.forward(x).Dispose();
        Assert.True(u.eq(layer.get_buffer("weight_u")!).all().item<bool>());
    }

    [Fact]
    public void Gradient_flows_through_sigma_into_the_raw_weight()
    {
        torch.manual_seed(5);
        using var layer = new SpectralNormLinear(4, 3);
        layer.PowerIteration(100);
        using var scope = torch.NewDisposeScope();
        layer.train();
        layer.forward(torch.randn(8, 4)).square().sum().backward();
        var grad = layer.RawWeight.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().ToDouble() > 0);
        // Scaling W leaves W/σ unchanged, so the gradient is orthogonal to W: ⟨∇W, W⟩ = 0.
        Assert.Equal(0.0, (grad * layer.RawWeight).sum().ToDouble(), 4);
    }
}
