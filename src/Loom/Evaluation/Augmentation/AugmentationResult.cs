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

/// <summary>What an <see cref="AugmentationStudy"/> measured, with the settings that produced it.</summary>
public sealed record AugmentationResult
{
    /// <summary>The generator's checkpoint as given.</summary>
    public required string Generator { get; init; }
    /// <summary>The generator's model kind (e.g. <c>cgan</c>).</summary>
    public required string GeneratorKind { get; init; }
    public required int PerClass { get; init; }
    /// <summary>Real images in each seed's training subset (PerClass × 10).</summary>
    public required int RealImages { get; init; }
    public required int TestImages { get; init; }
    /// <summary>The seeds, in the order of each row's accuracies.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }
    /// <summary>Classifier steps per run (the same for every ratio).</summary>
    public required long Steps { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public required double Temperature { get; init; }
    /// <summary>
    /// The bundled reference classifier's agreement with the classes the synthetic images were generated for (all seeds'
    /// images together); null when no synthetic image was made or the reference network is missing.
    /// </summary>
    public double? SyntheticClassAccuracy { get; init; }
    /// <summary>One row per ratio, in the order the ratios were given.</summary>
    public required IReadOnlyList<AugmentationRow> Rows { get; init; }
    /// <summary>Wall-clock seconds of the whole study.</summary>
    public double Seconds { get; init; }

    /// <summary>The real-only row (ratio 0), or null when the study had none.</summary>
    public AugmentationRow? Baseline => Rows.FirstOrDefault(r => r.Ratio == 0);

    /// <summary>Each ratio above 0 against the baseline, paired by seed; empty without a baseline.</summary>
    public IReadOnlyList<PairedDifference> Differences => Baseline is not { } baseline ? []
        : Rows.Where(r => r.Ratio > 0).Select(r =>
        {
            var diffs = r.Accuracies.Zip(baseline.Accuracies, (a, b) => a - b).ToList();
            return new PairedDifference(r.Ratio, diffs.Average(), AccuracyStatistics.SampleStandardDeviation(diffs), diffs.Count);
        }).ToList();
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
