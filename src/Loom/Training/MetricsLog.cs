using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.IO.Images;

namespace Loom.Training;

/// <summary>
/// The metrics log (<c>log.jsonl</c>): one JSON object per logged step. On resume, lines past the resumed step are
/// dropped so the log reads as one uninterrupted run. Also draws the loss curve PNG from it.
/// </summary>
public sealed class MetricsLog
{
    private readonly string path;

    public MetricsLog(string path, long resumeFromStep = 0)
    {
        this.path = path;
        if (File.Exists(path))
        {
            var kept = File.ReadAllLines(path).Where(line => StepOf(line) is { } s && s <= resumeFromStep).ToList();
            IO.AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        }
    }

    public string Path => path;

    public void Append(JsonObject entry)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        File.AppendAllText(path, entry.ToJsonString() + "\n");
    }

    public IReadOnlyList<JsonObject> Read() => ReadFile(path);

    /// <summary>The entries of a log file without opening it for appending (the constructor trims it for a resume).</summary>
    public static IReadOnlyList<JsonObject> ReadFile(string logPath) =>
        File.Exists(logPath) ? File.ReadAllLines(logPath).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList() : [];

    /// <summary>Train loss per phase (and any val_* metric) against step, as a PNG.</summary>
    public void WriteLossCurve(string pngPath, string title) => WriteLossCurve(Read(), pngPath, title);

    /// <summary>Plots log entries as <see cref="WriteLossCurve(string, string)"/> does; writes nothing when no entry has a loss.</summary>
    public static void WriteLossCurve(IReadOnlyList<JsonObject> entries, string pngPath, string title)
    {
        var series = new List<Plots.Series>();
        foreach (var group in entries.Where(e => e["loss"] is not null).GroupBy(e => e["phase"]?.GetValue<string>() ?? "train"))
            series.Add(new Plots.Series($"{group.Key} loss", group.Select(e => e["step"]!.GetValue<double>()).ToList(),
                group.Select(e => e["loss"]!.GetValue<double>()).ToList()));
        var evalKeys =
            entries.SelectMany(e => e.Select(kv => kv.Key)).Where(k => k.StartsWith("val_", StringComparison.Ordinal)).Distinct();
        foreach (var key in evalKeys)
        {
            var points = entries.Where(e => e[key] is not null).ToList();
            series.Add(new Plots.Series(key, points.Select(e => e["step"]!.GetValue<double>()).ToList(),
                points.Select(e => e[key]!.GetValue<double>()).ToList()));
        }
        if (series.Count > 0)
            Plots.LossCurve(pngPath, title, series);
    }

    private static long? StepOf(string line)
    {
        try
        {
            return JsonNode.Parse(line)?["step"]?.GetValue<long>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
