using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.IO;
using Loom.IO.Reports;

namespace Loom.Evaluation.Audit;

/// <summary>The result of <see cref="ModelAudit"/>: its sections in order, written as <c>audit.json</c> and one
/// <c>audit.html</c>.</summary>
public sealed class AuditReport(string checkpoint, string kind)
{
    public string Checkpoint { get; } = checkpoint;
    public string Kind { get; } = kind;
    public List<AuditSection> Sections { get; } = [];

    public AuditSection? Section(string id) => Sections.FirstOrDefault(s => s.Id == id);

    public JsonObject ToJson() => new()
    {
        ["checkpoint"] = Checkpoint,
        ["kind"] = Kind,
        ["loom_version"] = Core.LoomVersion.Current,
        ["sections"] = new JsonArray(Sections.Select(s => (JsonNode)s.ToJson()).ToArray()),
    };

    /// <summary>Writes <c>audit.json</c> and <c>audit.html</c> into <paramref name="folder"/>; returns the HTML path.</summary>
    public string Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var json = ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(Path.Combine(folder, "audit.json"), json);
        var html = new HtmlReport($"Loom audit: {Path.GetFileName(Path.TrimEndingDirectorySeparator(Checkpoint))}");
        html.Paragraph($"{Checkpoint} ({Kind}), audited by Loom {Core.LoomVersion.Current} on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        html.Table(["Section", "Finding"], Sections.Select(s => (IReadOnlyList<string>)[s.Title, s.Finding]));
        foreach (var section in Sections)
        {
            html.Heading(section.Title, 2, section.Id).Paragraph(section.Finding);
            if (section.Facts.Count > 0)
                html.Table(["", "value"], section.Facts.Select(f => (IReadOnlyList<string>)[f.Name, f.Value]));
            foreach (var table in section.Tables)
                html.Heading(table.Caption, 3).Table(table.Header, table.Rows);
            foreach (var note in section.Notes)
                html.Paragraph(note);
        }
        string path = Path.Combine(folder, "audit.html");
        html.Save(path);
        return path;
    }
}
