using Loom.Core;
using Loom.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Likelihood;

/// <summary>
/// Loom's one convention for likelihood numbers, used by every family:
/// <list type="bullet">
/// <item>NLL is in nats and summed; reports divide by a named unit (sample, token, character, time step, dimension).</item>
/// <item>perplexity = exp(NLL per unit); bits per unit = NLL per unit / ln 2 (bits/char for character models, bits/dim for images).</item>
/// <item>8-bit images are discrete. A continuous density p on [0,1]^D is scored on uniformly dequantized data
/// x = (k + u) / 256, u ~ U[0,1)^D, and bits/dim is reported on the 0..256 scale:
/// bits/dim = (NLL₀₁ + D ln 256) / (D ln 2), which upper-bounds the discrete model's bits/dim (Theis et al. 2016).
/// Discrete models (PixelCNN, autoregressive over 256 values) report their exact NLL with no correction.</item>
/// </list>
/// </summary>
public static class LikelihoodUnits
{
    /// <summary>Uniform dequantization of uint8 pixels (or integer-valued floats 0..255) to [0,1): (k + u) / 256, seeded.</summary>
    public static Tensor Dequantize(Tensor pixels, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var k = pixels.to(ScalarType.Float32);
        if (k.numel() > 0 && (k.min().ToDouble() < 0 || k.max().ToDouble() > 255))
            throw new LoomDataException("dequantization expects 8-bit pixel values 0..255");
        using var g = Seeding.Generator(seed, "dequantize");
        var u = torch.rand(k.shape, generator: g);
        return ((k + u) / 256f).MoveToOuterDisposeScope();
    }

    /// <summary>Bits per dimension on the 0..256 scale of a density over dequantized data in [0,1]^D.</summary>
    /// <param name="totalNllNats">Summed −log p over the examples, with p a density on [0,1]^D.</param>
    /// <param name="examples">Number of images.</param>
    /// <param name="dimsPerExample">D, e.g. 784 for a 1×28×28 image.</param>
    public static double BitsPerDimFromUnitScale(double totalNllNats, long examples, long dimsPerExample)
    {
        if (examples <= 0 || dimsPerExample <= 0)
            throw new LoomDataException(
                $"bits/dim needs a positive number of examples and dimensions, got {examples} and {dimsPerExample}");
        double dims = examples * (double)dimsPerExample;
        return (totalNllNats + dims * Math.Log(256)) / (dims * Math.Log(2));
    }

    /// <summary>The report of a density on dequantized [0,1] images, in Loom's units (dimension as unit, scale 0..256).</summary>
    public static ScoreReport ImageReport(double totalNllNatsUnitScale, long examples, long dimsPerExample)
    {
        double dims = examples * (double)dimsPerExample;
        return new ScoreReport(totalNllNatsUnitScale + dims * Math.Log(256), examples * dimsPerExample, "dimension");
    }
}
