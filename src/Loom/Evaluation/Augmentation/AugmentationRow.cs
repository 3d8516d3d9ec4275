namespace Loom.Evaluation.Augmentation;

/// <summary>One mixing ratio of an <see cref="AugmentationStudy"/>: test accuracy of its classifiers, one per seed.</summary>
/// <param name="Ratio">Synthetic images per real image.</param>
/// <param name="SyntheticImages">Synthetic images added to the real subset.</param>
/// <param name="Accuracies">Test accuracy (0..1) per seed, in the order of <see cref="AugmentationResult.Seeds"/>.</param>
public sealed record AugmentationRow(double Ratio, int SyntheticImages, IReadOnlyList<double> Accuracies)
{
    /// <summary>Mean test accuracy over the seeds.</summary>
    public double Mean => Accuracies.Average();

    /// <summary>Sample standard deviation of the accuracies across seeds (n − 1; 0 for one seed).</summary>
    public double StandardDeviation => AccuracyStatistics.SampleStandardDeviation(Accuracies);
}

/// <summary>
/// The change of a ratio's accuracy from the real-only baseline, paired by seed (each seed's classifiers share their real
/// subset and test images): mean and sample standard deviation of the per-seed differences.
/// </summary>
public sealed record PairedDifference(double Ratio, double Mean, double StandardDeviation, int Seeds)
{
    /// <summary>Standard error of <see cref="Mean"/>.</summary>
    public double StandardError => Seeds > 1 ? StandardDeviation / Math.Sqrt(Seeds) : double.NaN;

    /// <summary>True when the mean difference is more than two standard errors from zero (a rough bar, not a test).</summary>
    public bool BeyondNoise => Seeds > 1 && Math.Abs(Mean) > 2 * StandardError;
}

/// <summary>Small statistics used by the augmentation report.</summary>
internal static class AccuracyStatistics
{
    /// <summary>Standard deviation with n − 1 in the denominator; 0 for fewer than two values.</summary>
    public static double SampleStandardDeviation(IReadOnlyCollection<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
