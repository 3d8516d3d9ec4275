using Loom.Evaluation.Distribution;
using Loom.Evaluation.Memorization;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>Real vectors to compare low-dimensional samples with: held-out data and (when known) the training data.</summary>
public sealed record VectorEvaluationData(string Name, Tensor Reference, Tensor? Training) : IDisposable
{
    public void Dispose()
    {
        Reference.Dispose();
        Training?.Dispose();
    }
}

/// <summary>
/// Metrics for low-dimensional samples (toy sets, tabular data) in the data's own coordinates: RBF MMD² with the
/// median heuristic, the Fréchet distance of the Gaussian fits, precision/recall and density/coverage, 2-D histogram
/// total variation with a scatter plot for 2-D data, and nearest-training-neighbour distances.
/// </summary>
public sealed class VectorEvaluator(EvaluationOptions options)
{
    public void Evaluate(Tensor samples, VectorEvaluationData data, EvaluationResult result, string outDir)
    {
        using var scope = torch.NewDisposeScope();
        var fake = samples.reshape(samples.shape[0], -1).to(ScalarType.Float64, CPU);
        var real = ImageEvaluator.SeededSubset(data.Reference.to(ScalarType.Float64, CPU), options.MaxReference, options.Seed);
        FeatureChecks.RequireSameDim(real, fake, data.Name, result.Name);
        result.SampleCount = fake.shape[0];
        result.ReferenceCount = real.shape[0];
        result.FeatureSpace = $"data coordinates ({fake.shape[1]}-d)";
        var mmd = MaximumMeanDiscrepancy.Rbf(real, fake, seed: options.Seed);
        result.Add("mmd2_rbf", mmd.Mmd2);
        result.Add("mmd_median_distance", mmd.Bandwidths[3]);
        if (fake.shape[0] > fake.shape[1] && real.shape[0] > real.shape[1])
            result.Add("frechet", FrechetDistance.Compute(real, fake).Value);
        else
            result.Notes.Add($"Fréchet distance skipped: needs more samples than the {fake.shape[1]} dimensions");
        if (fake.shape[0] > options.KPrecisionRecall && real.shape[0] > Math.Max(options.KPrecisionRecall, options.KDensityCoverage))
        {
            var manifold = ManifoldMetrics.Compute(ImageEvaluator.SeededSubset(real, fake.shape[0], options.Seed), fake,
                options.KPrecisionRecall, options.KDensityCoverage);
            result.Add("precision", manifold.Precision);
            result.Add("recall", manifold.Recall);
            result.Add("density", manifold.Density);
            result.Add("coverage", manifold.Coverage);
        }
        if (fake.shape[1] == 2)
        {
            result.Add("hist2d_total_variation", Histogram2D.Compute(real, fake, options.HistogramBins).TotalVariation);
            var png = ImageEvaluator.FileSafe(result.Name) + "-scatter.png";
            Plots.Scatter(Path.Combine(outDir, png), $"{result.Name} vs {data.Name}", [(data.Name, real), ("samples", fake)]);
            result.Figures.Add(new ReportFigure(png, $"{result.Name}: samples over the real data"));
        }
        if (data.Training is null)
        {
            result.Notes.Add("memorization: the training data is unknown, so nearest-neighbour distances were skipped");
            return;
        }
        var train = data.Training.to(ScalarType.Float64, CPU);
        MemorizationReport.AddProximity(result, TrainingSetProximity.Compute(fake, train, real));
    }
}
