using Loom.Core;
using Loom.Data;
using Loom.Models;
using Loom.Models.Latent;
using TorchSharp;

namespace Loom.Evaluation.Anomaly;

/// <summary>
/// Anomaly detection with a VAE: scores each example of a data set (<see cref="VaeAnomalyScores"/>) and, when the model
/// was trained on a subset of the classes, measures how well the scores pick out each class it never saw (AUROC).
/// </summary>
public static class AnomalyScoring
{
    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/>, which must be an unconditional VAE whose examples
    /// have the data's shape (usage errors otherwise).
    /// </summary>
    public static AnomalyScoreReport Score(IGenerativeModel model, TrainingData data, AnomalyScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.K < 1)
            throw LoomUsageException.ForOption(nameof(options.K), $"must be at least 1, got {options.K}");
        if (options.Count is < 1)
            throw LoomUsageException.ForOption(nameof(options.Count), $"must be at least 1, got {options.Count}");
        var vae = model.GetService<IVariationalAutoencoder>()
            ?? throw new LoomUsageException($"anomaly scores need a vae model, got a '{model.Kind}' model");
        if (vae.NumClasses > 0)
            throw new LoomUsageException("anomaly scores: a conditional VAE needs the class of each example; train an "
                + "unconditional vae on the normal classes");
        if (!data.SampleShape.SequenceEqual(vae.Config.SampleShape))
            throw LoomUsageException.ForOption("Data", $"examples of shape [{string.Join(", ", data.SampleShape)}] but the model "
                + $"takes [{string.Join(", ", vae.Config.SampleShape)}]");
        using var scope = torch.NewDisposeScope();
        long n = Math.Min(options.Count ?? data.Count, data.Count);
        var examples = data.Examples.narrow(0, 0, n);
        double[] scores = vae.AnomalyScores(examples, null, options.Score, options.Seed, options.K).data<double>().ToArray();
        long[]? labels = data.Labels?.narrow(0, 0, n).data<long>().ToArray();
        bool everyClass = vae.Config.TrainClasses.Count == 0;
        var heldOut = labels is not null && !everyClass
            ? AnomalyDetection.ByClass(scores, labels, vae.Config.TrainClasses.ToHashSet(), data.ClassNames)
            : [];
        return new AnomalyScoreReport(data.Name, options.Score, scores, labels, heldOut, everyClass);
    }
}
