using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.IO;
using Loom.IO.Reports;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Writes an evaluation's <c>metrics.json</c> (every number, with the feature space and sample counts) and a
/// self-contained <c>report.html</c>: one table with the evaluated sources side by side, then per source its notes,
/// figures (sample grids, nearest-training-neighbour pairs, scatter plots, loss curves) and text samples.
/// </summary>
public static class EvaluationReport
{
    public const string MetricsFile = "metrics.json";
    public const string ReportFile = "report.html";

    public static void Write(string outDir, string dataSpec, EvaluationOptions options, IReadOnlyList<EvaluationResult> results)
    {
        Directory.CreateDirectory(outDir);
        var json = new JsonObject
        {
            ["loom_version"] = Core.LoomVersion.Current,
            ["created_utc"] = DateTimeOffset.UtcNow.ToString("u"),
            ["data"] = dataSpec,
            ["seed"] = options.Seed,
            ["requested_samples"] = options.Samples,
            ["results"] = new JsonArray(results.Select(r => (JsonNode?)r.ToJson()).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, MetricsFile), json.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping
        }));

        var report = new HtmlReport($"Loom evaluation against {dataSpec}");
        report.Paragraph(
            $"Loom {Core.LoomVersion.Current}, seed {options.Seed}, {DateTimeOffset.UtcNow:u}. Metrics conventions: docs/evaluation.md.");
        var metricNames = results.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct().ToList();
        var header = new List<string> { "metric" };
        header.AddRange(results.Select(r => $"{r.Name} ({r.Kind})"));
        var rows = new List<IReadOnlyList<string>>
        {
            Row("samples", results.Select(r => r.SampleCount.ToString())),
            Row("real examples compared", results.Select(r => r.ReferenceCount == 0 ? "" : r.ReferenceCount.ToString())),
            Row("feature space", results.Select(r => r.FeatureSpace ?? "")),
        };
        rows.AddRange(metricNames.Select(name => Row(name, results.Select(r => r.Get(name)?.ToString() ?? "—"))));
        report.Table(header, rows);
        foreach (var r in results)
        {
            report.Heading($"{r.Name} ({r.Kind})");
            foreach (var note in r.Notes)
                report.Paragraph(note);
            for (int i = 0; i < r.Figures.Count; i++)
            {
                var figure = r.Figures[i];
                if (!figure.FileName.EndsWith(".wav", StringComparison.OrdinalIgnoreCase))
                {
                    report.Image(Path.Combine(outDir, figure.FileName), figure.Caption);
                    continue;
                }
                // A clip's spectrogram (same name, .png) goes under its player.
                var spectrogram = Path.ChangeExtension(figure.FileName, ".png");
                bool paired = i + 1 < r.Figures.Count && r.Figures[i + 1].FileName == spectrogram;
                report.Audio(Path.Combine(outDir, figure.FileName), figure.Caption, paired ? Path.Combine(outDir, spectrogram) : null);
                if (paired) i++;
            }
            if (r.TextSamples.Count > 0)
                report.Preformatted(string.Join("\n\n———\n\n", r.TextSamples));
        }
        report.Save(Path.Combine(outDir, ReportFile));
    }

    private static IReadOnlyList<string> Row(string name, IEnumerable<string> cells) => [name, .. cells];
}
