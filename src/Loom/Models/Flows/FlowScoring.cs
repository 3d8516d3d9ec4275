using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Likelihood;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Exact likelihoods of data files under a <see cref="FlowModel"/> in Loom's units: vector flows score a numeric CSV
/// (nats per sample); image flows score a folder of PNGs or a Fashion-MNIST split (<c>fashion-mnist</c>,
/// <c>fashion-mnist:test</c>), uniformly dequantized with seed 0, in nats per dimension on the 0..256 scale (bits/dim).
/// </summary>
public static class FlowScoring
{
    private const int Batch = 500;

    public static ScoreReport Score(FlowModel model, string dataPath, CancellationToken cancellation = default)
    {
        if (model.Config.Image is null)
            return model.ScoreContent(TextFile.Read(dataPath), dataPath, cancellation);
        using var pixels = LoadPixels(dataPath);
        return ScoreImages(model, pixels, cancellation);
    }

    /// <summary>Total NLL over the rows of <paramref name="x"/> [n, d], in nats per sample.</summary>
    public static ScoreReport ScoreVectors(FlowModel model, Tensor x, string source)
    {
        if (x.dim() != 2 || x.shape[1] != model.Dimensions)
            throw new LoomDataException($"{source}: has {x.shape[^1]} columns but the flow has {model.Dimensions} dimensions");
        using var nll = model.ExampleNll(x);
        return new ScoreReport(nll.sum().item<double>(), x.shape[0], "sample");
    }

    /// <summary>Bits/dim report of 8-bit images [n, c, h, w] (values 0..255), dequantized with seed 0.</summary>
    public static ScoreReport ScoreImages(FlowModel model, Tensor pixels, CancellationToken cancellation = default)
    {
        var image = model.Config.Image!;
        double total = 0;
        long n = pixels.shape[0];
        for (long start = 0; start < n; start += Batch)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var x = LikelihoodUnits.Dequantize(pixels.narrow(0, start, Math.Min(Batch, n - start)), Seeding.Derive(0, $"score:{start}"));
            total += model.ExampleNll(x).sum().item<double>();
        }
        return LikelihoodUnits.ImageReport(total, n, (long)image.Channels * image.Height * image.Width);
    }

    /// <summary>8-bit pixels [n, c, h, w] as float 0..255 from a PNG folder or a Fashion-MNIST split.</summary>
    public static Tensor LoadPixels(string spec) => ImagePixels.Load8Bit(spec, "an image flow");
}
