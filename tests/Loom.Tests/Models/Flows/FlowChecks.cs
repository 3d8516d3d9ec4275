using Loom.Models.Flows;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Flows;

/// <summary>What every flow layer must satisfy, checked in float64: exact inversion and a log-determinant equal to the
/// brute-force autograd Jacobian's.</summary>
internal static class FlowChecks
{
    /// <summary>The layer in float64 with every parameter moved off its (often identity) start by seeded noise.</summary>
    public static T Randomized<T>(T layer, long seed, double scale = 0.3) where T : FlowLayer
    {
        layer.to(ScalarType.Float64);
        using var noGrad = torch.no_grad();
        var g = new Generator((ulong)seed);
        foreach (var p in layer.parameters())
            p.add_(torch.randn(p.shape, dtype: p.dtype, generator: g) * scale);
        return layer;
    }

    /// <summary>max |f⁻¹(f(x)) − x|.</summary>
    public static double RoundTripError(FlowLayer layer, Tensor x)
    {
        using var noGrad = torch.no_grad();
        var (z, _) = layer.Forward(x);
        return (layer.Inverse(z) - x).abs().max().item<double>();
    }

    /// <summary>max |log|det J| reported − log|det| of the Jacobian built row by row with autograd|, over the examples.</summary>
    public static double LogDetError(FlowLayer layer, Tensor x)
    {
        var input = x.detach().clone().requires_grad_(true);
        var (z, logDet) = layer.Forward(input);
        var flat = z.flatten(1);
        var rows = new List<Tensor>();
        for (long i = 0; i < flat.shape[1]; i++)
        {
            var grad = torch.autograd.grad([flat[.., i].sum()], [input], retain_graph: true)[0];
            rows.Add(grad.flatten(1));
        }
        var jacobian = torch.stack(rows, 1);   // [n, D out, D in]
        Assert.Equal(jacobian.shape[1], jacobian.shape[2]);
        var (_, bruteForce) = torch.linalg.slogdet(jacobian);
        return (bruteForce - logDet.detach()).abs().max().item<double>();
    }

    /// <summary>Both checks: inversion within 1e-4, log-determinant within <paramref name="tolerance"/>.</summary>
    public static void AssertInvertibleWithExactLogDet(FlowLayer layer, Tensor x, double tolerance = 1e-6)
    {
        double roundTrip = RoundTripError(layer, x);
        Assert.True(roundTrip < 1e-4, $"f⁻¹(f(x)) differs from x by {roundTrip:g3}");
        double logDet = LogDetError(layer, x);
        Assert.True(logDet < tolerance, $"log|det J| differs from the autograd Jacobian's by {logDet:g3}");
    }
}
