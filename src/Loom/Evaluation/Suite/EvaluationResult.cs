using System.Text.Json.Nodes;

namespace Loom.Evaluation.Suite;

/// <summary>One number in a report; <see cref="Std"/> is set for estimates averaged over subsets or splits.</summary>
public sealed record MetricValue(double Value, double? Std = null)
{
    public override string ToString() => Std is { } s ? $"{Format(Value)} ± {Format(s)}" : Format(Value);

    public static string Format(double v) =>
        double.IsNaN(v) ? "n/a" : Math.Abs(v) is >= 1e-3 and < 1e5 || v == 0 ? v.ToString("0.####") : v.ToString("0.###e+0");
}

/// <summary>A figure written into the report folder.</summary>
public sealed record ReportFigure(string FileName, string Caption);

/// <summary>Everything measured for one checkpoint or sample file: metrics (in insertion order), the feature space they were computed in,
/// notes on what was skipped, figures and text samples.</summary>
public sealed class EvaluationResult(string name, string kind)
{
    /// <summary>Short label of what was evaluated (checkpoint folder or file name).</summary>
    public string Name { get; } = name;

    /// <summary>The model kind, or <c>samples</c> for a sample file.</summary>
    public string Kind { get; } = kind;

    public long SampleCount { get; set; }

    /// <summary>Identity of the feature extractor the distribution metrics used (null when there were none).</summary>
    public string? FeatureSpace { get; set; }

    /// <summary>How many real examples the distribution metrics compared against.</summary>
    public long ReferenceCount { get; set; }

    public List<KeyValuePair<string, MetricValue>> Metrics { get; } = [];
    public List<string> Notes { get; } = [];
    public List<ReportFigure> Figures { get; } = [];
    public List<string> TextSamples { get; } = [];

    public void Add(string metric, double value, double? std = null) => Metrics.Add(new(metric, new MetricValue(value, std)));

    public MetricValue? Get(string metric) => Metrics.FirstOrDefault(m => m.Key == metric).Value;

    public JsonObject ToJson()
    {
        var metrics = new JsonObject();
        foreach (var (key, m) in Metrics)
            metrics[key] = m.Std is null ? Number(m.Value) : new JsonObject { ["mean"] = Number(m.Value), ["std"] = Number(m.Std.Value) };
        return new JsonObject
        {
            ["name"] = Name,
            ["kind"] = Kind,
            ["samples"] = SampleCount,
            ["reference_samples"] = ReferenceCount,
            ["feature_space"] = FeatureSpace,
            ["metrics"] = metrics,
            ["notes"] = new JsonArray(Notes.Select(n => (JsonNode?)n).ToArray()),
        };
    }

    /// <summary>JSON has no NaN or infinity: an undefined metric is written as null.</summary>
    private static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
