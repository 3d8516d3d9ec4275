using System.Text.Json.Nodes;

namespace Loom.Evaluation.Audit;

/// <summary>A table in an audit section: a header row and string cells.</summary>
public sealed record AuditTable(string Caption, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// One part of an audit: a title, a one-line finding, named facts (value as text, plus the number where there is one),
/// tables and notes. Sections hold what was measured; they never judge beyond the stated thresholds.
/// </summary>
public sealed class AuditSection(string id, string title)
{
    public string Id { get; } = id;
    public string Title { get; } = title;
    public string Finding { get; set; } = "";
    public List<(string Name, string Value, double? Number)> Facts { get; } = [];
    public List<AuditTable> Tables { get; } = [];
    public List<string> Notes { get; } = [];

    public AuditSection Fact(string name, string value)
    {
        Facts.Add((name, value, null));
        return this;
    }

    public AuditSection Fact(string name, double value)
    {
        Facts.Add((name, Suite.MetricValue.Format(value), value));
        return this;
    }

    /// <summary>A share as a percentage with one decimal, culture-invariant (<c>12.5%</c>); a dash for NaN.</summary>
    public static string Percent(double share) =>
        double.IsFinite(share) ? (100 * share).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%" : "—";

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["title"] = Title,
        ["finding"] = Finding,
        ["facts"] = new JsonObject(Facts.Select(f => KeyValuePair.Create(f.Name,
            f.Number is { } n && double.IsFinite(n) ? (JsonNode?)n : f.Value))),
        ["tables"] = new JsonArray(Tables.Select(t => (JsonNode)new JsonObject
        {
            ["caption"] = t.Caption,
            ["header"] = new JsonArray(t.Header.Select(h => (JsonNode)h).ToArray()),
            ["rows"] = new JsonArray(t.Rows.Select(r => (JsonNode)new JsonArray(r.Select(c => (JsonNode)c).ToArray())).ToArray()),
        }).ToArray()),
        ["notes"] = new JsonArray(Notes.Select(n => (JsonNode)n).ToArray()),
    };
}
