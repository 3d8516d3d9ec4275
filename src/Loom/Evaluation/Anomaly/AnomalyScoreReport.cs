using System.Globalization;
using System.Text;
using Loom.Models.Latent;

namespace Loom.Evaluation.Anomaly;

/// <summary>
/// Per-example anomaly scores (higher = less like the training data) of a data set, with its labels when it has them,
/// and the AUROC of each class the model never saw against those it did (empty when it saw them all or there are no labels).
/// </summary>
/// <param name="DataName">The data set's name.</param>
/// <param name="Kind">How the examples were scored.</param>
/// <param name="Scores">One score per example, in the data set's order.</param>
/// <param name="Labels">Each example's class, or null when the data set has none.</param>
/// <param name="HeldOutClasses">One result per class outside the training classes (and "all held-out" for several).</param>
/// <param name="TrainedOnEveryClass">True when the model was trained on every class, so no class is held out.</param>
public sealed record AnomalyScoreReport(string DataName, AnomalyScoreKind Kind, IReadOnlyList<double> Scores,
    IReadOnlyList<long>? Labels, IReadOnlyList<AnomalyResult> HeldOutClasses, bool TrainedOnEveryClass)
{
    /// <summary>The scores as CSV: a header <c>index,label,score</c>, then one row per example (label empty without labels).</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("index,label,score\n");
        for (int i = 0; i < Scores.Count; i++)
            csv.Append(CultureInfo.InvariantCulture,
                $"{i},{(Labels is null ? "" : Labels[i].ToString(CultureInfo.InvariantCulture))},{Scores[i]:R}\n");
        return csv.ToString();
    }
}
