using Loom.Core;

namespace Loom.Evaluation.Suite;

/// <summary>How <c>loom eval</c> measures: sample count, seeds, estimator settings. A record: copy with <c>with { }</c>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples to draw from each model (sample files are used whole, up to this many).</summary>
    public int Samples { get; init; } = 2000;
    public long Seed { get; init; }
    public int KidSubsets { get; init; } = 100;
    public int KidSubsetSize { get; init; } = 1000;
    /// <summary>k for precision/recall (Kynkäänniemi et al. use 3).</summary>
    public int KPrecisionRecall { get; init; } = 3;
    /// <summary>k for density/coverage (Naeem et al. use 5).</summary>
    public int KDensityCoverage { get; init; } = 5;
    /// <summary>Splits of the classifier score.</summary>
    public int ScoreSplits { get; init; } = 10;
    /// <summary>Nearest-training-neighbour pairs shown in the report.</summary>
    public int NeighbourPairs { get; init; } = 8;
    /// <summary>Word n-gram length counted as a copy of the training text.</summary>
    public int CopyNGram { get; init; } = 8;
    /// <summary>Text samples drawn from a text model (self-BLEU is quadratic in this).</summary>
    public int TextSamples { get; init; } = 100;
    /// <summary>Length of each text sample (characters or tokens, as the model counts).</summary>
    public int TextLength { get; init; } = 300;
    /// <summary>Clips drawn from an audio model (the classes in turn for a conditional one).</summary>
    public int AudioClips { get; init; } = 50;
    /// <summary>Samples per drawn clip (4,000 is half a second at 8 kHz, about a spoken digit).</summary>
    public int AudioLength { get; init; } = 4000;
    /// <summary>Bins per axis of the 2-D histogram; 20² cells keep the total variation of two 2000-point draws of one distribution
    /// small.</summary>
    public int HistogramBins { get; init; } = 20;
    /// <summary>Real examples the low-dimensional metrics compare against, at most.</summary>
    public int MaxReference { get; init; } = 10_000;

    public void Validate()
    {
        if (Samples < 2) throw LoomUsageException.ForOption(nameof(Samples), $"must be at least 2, got {Samples}");
        if (KidSubsets < 1) throw LoomUsageException.ForOption(nameof(KidSubsets), $"must be at least 1, got {KidSubsets}");
        if (KidSubsetSize < 2) throw LoomUsageException.ForOption(nameof(KidSubsetSize), $"must be at least 2, got {KidSubsetSize}");
        if (KPrecisionRecall < 1 || KDensityCoverage < 1) throw LoomUsageException.ForOption(nameof(KPrecisionRecall),
            "must be at least 1");
        if (HistogramBins < 2) throw new LoomUsageException($"histogram bins: must be at least 2, got {HistogramBins}");
        if (AudioClips < 1) throw LoomUsageException.ForOption(nameof(AudioClips), $"must be at least 1, got {AudioClips}");
        if (AudioLength < 1) throw LoomUsageException.ForOption(nameof(AudioLength), $"must be at least 1, got {AudioLength}");
        if (CopyNGram < 2) throw LoomUsageException.ForOption(nameof(CopyNGram), $"must be at least 2, got {CopyNGram}");
    }
}
