using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// The VAE capability a caller asks a model for (<c>model.GetService&lt;IVariationalAutoencoder&gt;()</c>): its
/// configuration, the encoder's posterior means, and per-example anomaly scores.
/// </summary>
public interface IVariationalAutoencoder : ILatentVariableModel
{
    VaeConfig Config { get; }

    /// <summary>The posterior means μ(x) [n, LatentDim] of <paramref name="examples"/> in data space.</summary>
    Tensor EncodeMean(Tensor examples, Tensor? labels = null);

    /// <summary>Anomaly scores [n] float64 of <paramref name="examples"/> (higher = more anomalous), see
    /// <see cref="VaeAnomalyScores"/>.</summary>
    Tensor AnomalyScores(Tensor examples, Tensor? labels, AnomalyScoreKind kind, long seed, int samples);
}
