using Loom.Core;

namespace Loom.Evaluation.Audio;

/// <summary>How <see cref="SpectrogramClassifier.Train"/> fits its softmax regression.</summary>
public sealed class SpectrogramClassifierOptions
{
    /// <summary>The features each clip is described by.</summary>
    public SpectrogramFeatures Features { get; init; } = new();

    /// <summary>Full-batch Adam steps.</summary>
    public int Iterations { get; init; } = 500;

    /// <summary>Adam's step size.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Weight of the squared-weight penalty added to the mean cross-entropy.</summary>
    public double WeightDecay { get; init; } = 1e-3;

    /// <summary>A copy to change.</summary>
    public SpectrogramClassifierOptions Clone() => (SpectrogramClassifierOptions)MemberwiseClone();

    /// <summary>Throws a usage error naming the first bad option.</summary>
    public void Validate()
    {
        Features.Validate();
        if (Iterations < 1) throw LoomUsageException.ForOption(nameof(Iterations), $"must be at least 1, got {Iterations}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw LoomUsageException.ForOption(nameof(LearningRate), $"must be a positive number, got {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw LoomUsageException.ForOption(nameof(WeightDecay), $"must be zero or more, got {WeightDecay}");
    }
}
