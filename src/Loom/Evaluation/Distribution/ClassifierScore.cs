using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>Inception-Score-style score: mean and (unbiased) standard deviation over splits.</summary>
public sealed record ClassifierScoreResult(double Mean, double Std, int Splits);

/// <summary>
/// The Inception Score formula with any classifier: exp(E_x KL(p(y|x) ‖ p(y))), where p(y) is the mean prediction
/// of the split. Ranges from 1 (every sample gets the same prediction) to the number of classes (confident and
/// evenly spread). With the Loom Fashion-MNIST reference network this is "IS-FMNIST", not comparable to ImageNet IS.
/// </summary>
public static class ClassifierScore
{
    /// <summary>Score from class logits [n, classes], split into <paramref name="splits"/> consecutive chunks (torchmetrics'
    /// convention).</summary>
    public static ClassifierScoreResult FromLogits(Tensor logits, int splits = 1)
    {
        FeatureChecks.RequireMatrix(logits, "classifier logits");
        if (splits < 1 || splits > logits.shape[0])
            throw LoomUsageException.ForOption("Splits", $"must be between 1 and the {logits.shape[0]} samples, got {splits}");
        using var scope = torch.NewDisposeScope();
        var logP = nn.functional.log_softmax(logits.to(ScalarType.Float64, CPU), 1);
        var p = logP.exp();
        long n = logits.shape[0];
        var scores = new double[splits];
        for (int s = 0; s < splits; s++)
        {
            long start = n * s / splits, end = n * (s + 1) / splits;
            var lp = logP.narrow(0, start, end - start);
            var pk = p.narrow(0, start, end - start);
            var logMean = pk.mean([0L]).log();
            var kl = (pk * (lp - logMean)).sum([1L]);
            scores[s] = Math.Exp(kl.mean().ToDouble());
        }
        double mean = scores.Average();
        double std = splits > 1 ? Math.Sqrt(scores.Sum(v => (v - mean) * (v - mean)) / (splits - 1)) : 0;
        return new ClassifierScoreResult(mean, std, splits);
    }

    /// <summary>Fraction of samples the classifier assigns to the class they were generated for (conditional models).</summary>
    public static double ConditionalAccuracy(Tensor logits, Tensor requestedLabels)
    {
        FeatureChecks.RequireMatrix(logits, "classifier logits");
        if (requestedLabels.shape[0] != logits.shape[0])
            throw new LoomDataException($"{requestedLabels.shape[0]} labels for {logits.shape[0]} samples");
        using var scope = torch.NewDisposeScope();
        return logits.argmax(1).eq(requestedLabels.to(ScalarType.Int64, CPU)).to(ScalarType.Float64).mean().ToDouble();
    }
}
