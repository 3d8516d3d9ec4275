using Loom.Core;
using Loom.Evaluation.Memorization;

namespace Loom.Evaluation.Anomaly;

/// <summary>How well scores separate one held-out class from the normal data.</summary>
/// <param name="Auroc">P(score of an anomaly &gt; score of a normal example), ties counted half: 0.5 = chance, 1 = perfect.</param>
public sealed record AnomalyResult(string Name, double Auroc, int Anomalies, int Normals, double MeanAnomalyScore, double MeanNormalScore);

/// <summary>
/// Anomaly-detection metrics over per-example scores (higher = more anomalous). The AUROC is the Mann-Whitney statistic
/// shared with <see cref="MembershipInference"/>: normal examples play the "lower loss" side.
/// </summary>
public static class AnomalyDetection
{
    public static AnomalyResult Evaluate(string name, IReadOnlyList<double> anomalyScores, IReadOnlyList<double> normalScores)
    {
        if (anomalyScores.Count == 0 || normalScores.Count == 0)
            throw new LoomDataException($"anomaly detection '{name}': needs scores of anomalies and of normal examples, got "
                + $"{anomalyScores.Count} and {normalScores.Count}");
        var separation = MembershipInference.LossThreshold(normalScores, anomalyScores);
        return new AnomalyResult(name, separation.Auroc, anomalyScores.Count, normalScores.Count,
            anomalyScores.Average(), normalScores.Average());
    }

    /// <summary>
    /// One result per class outside <paramref name="normalClasses"/>: that class's examples against all examples of
    /// the normal classes; plus "all held-out" when more than one class is held out.
    /// </summary>
    public static IReadOnlyList<AnomalyResult> ByClass(IReadOnlyList<double> scores, IReadOnlyList<long> labels,
        IReadOnlySet<int> normalClasses, IReadOnlyList<string> classNames)
    {
        if (scores.Count != labels.Count) throw new LoomDataException(
            $"anomaly detection: {scores.Count} scores but {labels.Count} labels");
        var normal = scores.Where((_, i) => normalClasses.Contains((int)labels[i])).ToList();
        var heldOut = labels.Select(l => (int)l).Distinct().Where(c => !normalClasses.Contains(c)).Order().ToList();
        var results = heldOut.Select(c => Evaluate(c < classNames.Count ? classNames[c] : $"class {c}",
            scores.Where((_, i) => labels[i] == c).ToList(), normal)).ToList();
        if (heldOut.Count > 1)
            results.Add(Evaluate("all held-out", scores.Where((_, i) => !normalClasses.Contains((int)labels[i])).ToList(), normal));
        return results;
    }
}
