using Loom.Evaluation.Distribution;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Memorization;

/// <summary>A memorization-informed FID: the FID, the memorization distance and the penalized value.</summary>
public sealed record MiFidResult(double Fid, double MemorizationDistance, double Threshold, double MiFid);

/// <summary>
/// MiFID (Bai et al. 2021, the Kaggle "Generative Dog Images" metric): the memorization distance is the mean over
/// generated samples of the smallest cosine distance 1 − |cos(g, t)| to any training feature; when it falls below the
/// threshold ε (0.1 by default) the FID is divided by it, otherwise MiFID equals FID.
/// </summary>
public static class MiFid
{
    public static double MemorizationDistance(Tensor sampleFeatures, Tensor trainFeatures)
    {
        FeatureChecks.RequireSameDim(sampleFeatures, trainFeatures, "generated", "training");
        using var scope = torch.NewDisposeScope();
        var g = nn.functional.normalize(sampleFeatures.to(ScalarType.Float64, CPU), dim: 1);
        var t = nn.functional.normalize(trainFeatures.to(ScalarType.Float64, CPU), dim: 1);
        const long rows = 1024;
        var minima = new List<Tensor>();
        for (long start = 0; start < g.shape[0]; start += rows)
        {
            var block = g.narrow(0, start, Math.Min(rows, g.shape[0] - start));
            minima.Add((1 - block.matmul(t.t()).abs()).min(1).values);
        }
        // 1 − |cos| of identical vectors can round to a hair below 0.
        return Math.Max(0, torch.cat(minima, 0).mean().ToDouble());
    }

    public static MiFidResult Compute(double fid, double memorizationDistance, double threshold = 0.1)
    {
        double penalized = memorizationDistance < threshold ? fid / Math.Max(memorizationDistance, 1e-15) : fid;
        return new MiFidResult(fid, memorizationDistance, threshold, penalized);
    }
}
