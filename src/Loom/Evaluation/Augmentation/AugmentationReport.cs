using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.IO;

namespace Loom.Evaluation.Augmentation;

/// <summary>
/// An <see cref="AugmentationResult"/> as Markdown (the table with ± across seeds, the paired differences from real-only
/// training and a one-line verdict) or JSON (every number, per-seed accuracies included).
/// </summary>
public static class AugmentationReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="path"/> atomically: JSON when it ends in <c>.json</c>, else Markdown.</summary>
    public static void Save(AugmentationResult result, string path)
    {
        bool json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        AtomicFile.WriteAllText(path, json ? ToJson(result).ToJsonString(Indented) + "\n" : ToMarkdown(result));
    }

    /// <summary>
    /// The plain-words answer: whether the best ratio beat real-only training by more than two standard errors of its
    /// per-seed differences, and by how much (accuracy points).
    /// </summary>
    public static string Verdict(AugmentationResult result)
    {
        var differences = result.Differences;
        if (differences.Count == 0)
            return "No verdict: the study needs ratio 0 (real images only) and at least one ratio above 0 to compare.";
        var best = differences.MaxBy(d => d.Mean)!;
        string by = $"{Points(best.Mean)} points at ratio {Number(best.Ratio)}";
        if (result.Seeds.Count < 2)
            return $"Best change {by} (one seed: no estimate of the noise, so no verdict).";
        if (best.Mean > 0 && best.BeyondNoise)
            return $"Synthetic data helped: {by} (paired over {best.Seeds} seeds, ± {Unsigned(best.StandardError)} standard error).";
        var worst = differences.MinBy(d => d.Mean)!;
        if (best.Mean <= 0)
            return $"Synthetic data did not help: every ratio was at or below real-only training (best {by}, worst "
                + $"{Points(worst.Mean)} points at ratio {Number(worst.Ratio)}).";
        return $"No clear help: the best ratio changed accuracy by {by}, within two standard errors "
            + $"(± {Unsigned(best.StandardError)}) of the per-seed differences over {best.Seeds} seeds.";
    }

    /// <summary>A Markdown section: settings, the table (mean ± standard deviation over seeds, per-seed values) and the verdict.</summary>
    public static string ToMarkdown(AugmentationResult result)
    {
        var text = new StringBuilder();
        text.AppendLine("# Synthetic-data augmentation study").AppendLine();
        text.AppendLine($"Generator `{result.Generator}` ({result.GeneratorKind}, temperature {Number(result.Temperature)}); "
            + $"{result.PerClass} real training images per class ({result.RealImages} in all), seeds "
            + $"{string.Join(", ", result.Seeds)}; the reference CNN trained {result.Steps} steps of {result.BatchSize} images "
            + $"({result.Epochs} passes over the real subset, AdamW {Number(result.LearningRate)}, flips and shifts) for every ratio; "
            + $"accuracy on {result.TestImages} test images.");
        if (result.SyntheticClassAccuracy is { } agree)
            text.AppendLine().AppendLine(
                $"The bundled reference classifier assigns {Percent(agree, 1)} of the synthetic images the class they were generated for.");
        text.AppendLine();
        var differences = result.Differences.ToDictionary(d => d.Ratio);
        text.AppendLine(
            "| synthetic per real | synthetic images | test accuracy (mean ± sd) | per seed | vs real only (paired, points) |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var row in result.Rows)
        {
            string change = differences.TryGetValue(row.Ratio, out var d)
                ? $"{Points(d.Mean)} ± {Unsigned(d.StandardDeviation)}" : row.Ratio == 0 ? "baseline" : "—";
            text.AppendLine($"| {Number(row.Ratio)} | {row.SyntheticImages} | {Percent(row.Mean, 2)} ± "
                + $"{Unsigned(row.StandardDeviation)} | "
                + $"{string.Join(" / ", row.Accuracies.Select(a => Percent(a, 2)))} | {change} |");
        }
        text.AppendLine().AppendLine(Verdict(result));
        text.AppendLine().AppendLine($"Took {Number(Math.Round(result.Seconds))} s.");
        return text.ToString();
    }

    /// <summary>Every setting and number of the study.</summary>
    public static JsonObject ToJson(AugmentationResult result) => new()
    {
        ["generator"] = result.Generator,
        ["generator_kind"] = result.GeneratorKind,
        ["per_class"] = result.PerClass,
        ["real_images"] = result.RealImages,
        ["test_images"] = result.TestImages,
        ["seeds"] = new JsonArray(result.Seeds.Select(s => (JsonNode)s).ToArray()),
        ["steps"] = result.Steps,
        ["epochs"] = result.Epochs,
        ["batch_size"] = result.BatchSize,
        ["learning_rate"] = result.LearningRate,
        ["temperature"] = result.Temperature,
        ["synthetic_class_accuracy"] = result.SyntheticClassAccuracy,
        ["rows"] = new JsonArray(result.Rows.Select(r => (JsonNode)new JsonObject
        {
            ["ratio"] = r.Ratio,
            ["synthetic_images"] = r.SyntheticImages,
            ["mean_accuracy"] = r.Mean,
            ["sd_accuracy"] = r.StandardDeviation,
            ["accuracies"] = new JsonArray(r.Accuracies.Select(a => (JsonNode)a).ToArray()),
        }).ToArray()),
        ["differences"] = new JsonArray(result.Differences.Select(d => (JsonNode)new JsonObject
        {
            ["ratio"] = d.Ratio,
            ["mean"] = d.Mean,
            ["sd"] = d.StandardDeviation,
            ["beyond_noise"] = d.BeyondNoise,
        }).ToArray()),
        ["verdict"] = Verdict(result),
        ["seconds"] = result.Seconds,
    };

    private static string Points(double fraction) => (fraction * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Unsigned(double fraction) => (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Percent(double fraction, int decimals) =>
        (fraction * 100).ToString("0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";
}
