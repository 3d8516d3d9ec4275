using Loom.Evaluation.Suite;

namespace Loom.Evaluation.Audit;

/// <summary>Memorization and membership inference, from the evaluation suite's metrics: nearest-training-neighbour distances and
/// MiFID for images, verbatim n-gram copies for text, the loss-threshold membership-inference attack where the model scores
/// examples.</summary>
public static class MemorizationSection
{
    private static readonly string[] Prefixes =
        ["nn_", "closer_than", "memorization", "mifid", "copied_", "longest_copy", "mia_"];

    public static AuditSection Build(EvaluationResult result)
    {
        var section = new AuditSection("memorization", "Memorization and membership inference");
        foreach (var (name, value) in result.Metrics.Where(m => Prefixes.Any(m.Key.StartsWith)))
            section.Fact(name, value.Value);
        section.Notes.AddRange(result.Notes);
        var findings = new List<string>();
        if (result.Get("nn_distance_ratio") is { } ratio)
            findings.Add($"samples sit {MetricValue.Format(ratio.Value)}× as far from their nearest training image as held-out images do "
                + "(well below 1 means copying)");
        if (result.Metrics.FirstOrDefault(m => m.Key.EndsWith("gram_samples", StringComparison.Ordinal)) is { Key: not null } copied)
            findings.Add($"{AuditSection.Percent(copied.Value.Value)} of samples copy a training "
                + $"{copied.Key.Split('_')[1].Replace("gram", "-gram")} verbatim, the longest "
                + $"{result.Get("longest_copy_words")?.Value ?? 0} words");
        if (result.Get("mia_auroc") is { } auroc)
            findings.Add($"membership-inference AUROC {MetricValue.Format(auroc.Value)} (0.5: the attack learns nothing)"
                + (result.Get("mia_tpr_at_1pct_fpr") is { } tpr
                    ? $", {AuditSection.Percent(tpr.Value)} of members found at 1% false positives" : ""));
        else
            section.Notes.Add("membership inference: this model does not score examples here, so the loss-threshold attack was not run");
        section.Finding = findings.Count > 0 ? string.Join("; ", findings) + "." : "no memorization metric applies to this model and data.";
        return section;
    }
}
