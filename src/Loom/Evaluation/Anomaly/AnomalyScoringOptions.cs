using Loom.Models.Latent;

namespace Loom.Evaluation.Anomaly;

/// <summary>How <see cref="AnomalyScoring.Score"/> scores examples with a VAE.</summary>
public sealed class AnomalyScoringOptions
{
    /// <summary>What makes an example look anomalous: −ELBO, reconstruction error or importance-sampled NLL.</summary>
    public AnomalyScoreKind Score { get; init; } = AnomalyScoreKind.Elbo;

    /// <summary>Importance samples per example for <see cref="AnomalyScoreKind.Nll"/>.</summary>
    public int K { get; init; } = 100;

    /// <summary>How many examples to score, the data set's first ones (null: all).</summary>
    public long? Count { get; init; }

    /// <summary>Seeds the binarization and the posterior draws.</summary>
    public long Seed { get; init; }

    /// <summary>A copy to change with <c>with</c>-style initializers.</summary>
    public AnomalyScoringOptions Clone() => (AnomalyScoringOptions)MemberwiseClone();
}
