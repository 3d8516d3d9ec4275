using Loom.Core;
using Loom.Models.Flows;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Flows;

/// <summary>Every layer inverts exactly and reports the log|det| of its true Jacobian: vectors with D = 4, images 4×2×2.</summary>
public class FlowLayerTests
{
    private const int D = 4;

    private static Tensor Vectors(long seed, double scale = 1) =>
        torch.randn([5, D], ScalarType.Float64, generator: new Generator((ulong)seed)) * scale;

    /// <summary>Pixels in (0.05, 0.95), like dequantized images.</summary>
    private static Tensor Images(long seed) =>
        0.05 + 0.9 * torch.rand([3, 4, 2, 2], ScalarType.Float64, generator: new Generator((ulong)seed));

    public static TheoryData<string> VectorLayers => ["affine-alternating", "affine-half", "actnorm", "invertible-linear", "maf",
        "spline", "reverse", "standardize"];

    public static TheoryData<string> ImageLayers => ["affine-checkerboard", "affine-channel", "actnorm", "invertible-1x1", "squeeze",
        "logit", "multiscale-split"];

    private static FlowLayer VectorLayer(string name, Tensor data) => name switch
    {
        "affine-alternating" => new AffineCoupling(CouplingMasks.Alternating(D, 1), Conditioners.Mlp(D, 16, 2, 2 * D)),
        "affine-half" => new AffineCoupling(CouplingMasks.Half(D, flip: true), Conditioners.Mlp(D, 16, 1, 2 * D)),
        "actnorm" => Initialized(new ActNorm(D, image: false), data),
        "invertible-linear" => new InvertibleLinear(D, seed: 3),
        "maf" => new MaskedAutoregressiveLayer(D, 16, 2),
        "spline" => new SplineCoupling(CouplingMasks.Alternating(D, 0), 16, 2, bins: 5, bound: 1.5),
        "reverse" => new ReverseOrder(),
        _ => Fitted(new Standardize(D), data),
    };

    private static FlowLayer ImageLayer(string name, Tensor data) => name switch
    {
        "affine-checkerboard" => new AffineCoupling(CouplingMasks.Checkerboard(4, 2, 2, 1), Conditioners.Cnn(4, 8, 8)),
        "affine-channel" => new AffineCoupling(CouplingMasks.Channel(4, 2, 2, flip: false), Conditioners.Cnn(4, 8, 8)),
        "actnorm" => Initialized(new ActNorm(4, image: true), data),
        "invertible-1x1" => new InvertibleLinear(4, seed: 5),
        "squeeze" => new Squeeze(),
        "logit" => new LogitTransform(0.05),
        _ => new MultiScaleSplit(new FlowSequence([new AffineCoupling(CouplingMasks.Checkerboard(2, 2, 2, 0), Conditioners.Cnn(2, 8, 4)),
            new Flatten(2, 2, 2)]), 4, 2, 2),
    };

    private static ActNorm Initialized(ActNorm layer, Tensor data)
    {
        layer.to(ScalarType.Float64);
        layer.Forward(data);
        Assert.True(layer.IsInitialized);
        return layer;
    }

    private static Standardize Fitted(Standardize layer, Tensor data)
    {
        layer.to(ScalarType.Float64);
        layer.Fit(data * 3 + 1);
        return layer;
    }

    [Theory]
    [MemberData(nameof(VectorLayers))]
    public void VectorLayerInvertsAndHasTheJacobiansLogDet(string name)
    {
        // Spread 1.5 against the spline's bound 1.5: some points fall in its linear tails.
        var x = Vectors(11, 1.5);
        var layer = FlowChecks.Randomized(VectorLayer(name, Vectors(7)), seed: 21);
        FlowChecks.AssertInvertibleWithExactLogDet(layer, x);
    }

    [Theory]
    [MemberData(nameof(ImageLayers))]
    public void ImageLayerInvertsAndHasTheJacobiansLogDet(string name)
    {
        var x = Images(13);
        var layer = FlowChecks.Randomized(ImageLayer(name, Images(8)), seed: 22);
        FlowChecks.AssertInvertibleWithExactLogDet(layer, x);
    }

    [Fact]
    public void ActNormInitialisesFromTheFirstBatchOnlyOnce()
    {
        var data = Vectors(4) * 3 + 2;
        var layer = new ActNorm(D, image: false);
        layer.to(ScalarType.Float64);
        var (z, _) = layer.Forward(data);
        Assert.True(z.mean([0]).abs().max().item<double>() < 1e-6);
        Assert.True((z.std(0, unbiased: false) - 1).abs().max().item<double>() < 1e-4);
        var before = layer.parameters().Select(p => p.detach().clone()).ToList();
        layer.Forward(data * 5 - 7);
        Assert.All(layer.parameters().Zip(before), pair => Assert.True(pair.First.detach().eq(pair.Second).all().item<bool>()));
        Assert.Contains(layer.named_buffers(), b => b.name == "initialized");
    }

    [Fact]
    public void SqueezeRefusesAnOddImage()
    {
        var e = Assert.Throws<LoomUsageException>(() => new Squeeze().Forward(torch.zeros(1, 1, 3, 4)));
        Assert.Contains("even height and width", e.Message);
    }

    [Fact]
    public void SplineIsTheIdentityOutsideItsBound()
    {
        var layer = FlowChecks.Randomized(new SplineCoupling(CouplingMasks.Alternating(2, 0), 8, 1, 4, bound: 1), seed: 2);
        var x = torch.tensor(new[,] { { 0.3, 2.5 }, { -0.7, -3.0 } }, ScalarType.Float64);
        var (z, logDet) = layer.Forward(x);
        Assert.Equal(x.data<double>().ToArray(), z.detach().data<double>().ToArray());
        Assert.Equal([0.0, 0.0], logDet.detach().data<double>().ToArray());
    }
}
