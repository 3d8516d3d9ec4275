namespace Loom.Evaluation.Augmentation;

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
