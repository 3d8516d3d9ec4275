using Loom.Evaluation.Distribution;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Memorization;

/// <summary>How close generated samples sit to the training set, compared with how close unseen real data sits.</summary>
/// <param name="SampleDistances">Distance of each generated sample to its nearest training example.</param>
/// <param name="SampleNeighbours">Index of that training example.</param>
/// <param name="MedianSampleDistance">Median of <see cref="SampleDistances"/>.</param>
/// <param name="MedianHeldOutDistance">Median distance of held-out real examples to their nearest training example (null without held-out
/// data).</param>
/// <param name="Ratio">MedianSampleDistance / MedianHeldOutDistance: about 1 for a model that generalizes, well below 1 for one that
/// copies.</param>
/// <param name="CloserThanHeldOut">Share of samples nearer to the training set than the closest 1% of held-out examples are.</param>
public sealed record ProximityResult(double[] SampleDistances, long[] SampleNeighbours, double MedianSampleDistance,
    double? MedianHeldOutDistance, double? Ratio, double? CloserThanHeldOut)
{
    /// <summary>The <paramref name="count"/> samples closest to the training set: (sample index, training index, distance).</summary>
    public IReadOnlyList<(int Sample, long Training, double Distance)> ClosestPairs(int count) =>
        SampleDistances.Select((d, i) => (Sample: i, Training: SampleNeighbours[i], Distance: d))
            .OrderBy(p => p.Distance).Take(count).ToList();
}

/// <summary>
/// Nearest-training-neighbour memorization check: for each generated sample, the Euclidean distance (in the given
/// feature space) to the closest training example, set against the same distance for held-out real examples.
/// </summary>
public static class TrainingSetProximity
{
    public static ProximityResult Compute(Tensor sampleFeatures, Tensor trainFeatures, Tensor? heldOutFeatures = null)
    {
        FeatureChecks.RequireSameDim(sampleFeatures, trainFeatures, "generated", "training");
        using var scope = torch.NewDisposeScope();
        var (d, idx) = NearestNeighbours.Nearest(sampleFeatures, trainFeatures);
        var distances = d.data<double>().ToArray();
        var neighbours = idx.data<long>().ToArray();
        double medianSample = Median(distances);
        if (heldOutFeatures is null)
            return new ProximityResult(distances, neighbours, medianSample, null, null, null);
        FeatureChecks.RequireSameDim(heldOutFeatures, trainFeatures, "held-out", "training");
        var (h, _) = NearestNeighbours.Nearest(heldOutFeatures, trainFeatures);
        var held = h.data<double>().ToArray();
        Array.Sort(held);
        double medianHeld = Median(held);
        double firstPercentile = held[(int)(0.01 * (held.Length - 1))];
        double closer = distances.Count(x => x < firstPercentile) / (double)distances.Length;
        return new ProximityResult(distances, neighbours, medianSample, medianHeld, medianHeld > 0
            ? medianSample / medianHeld : null, closer);
    }

    private static double Median(double[] values)
    {
        var s = values.Order().ToArray();
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
