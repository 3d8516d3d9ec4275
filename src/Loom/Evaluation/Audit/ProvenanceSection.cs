using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;

namespace Loom.Evaluation.Audit;

/// <summary>The checkpoint's own provenance: its model card (data SHA-256s, command line, seed, Loom version), the SHA-256 of
/// its weight files and whether they still match the checkpoint's manifest.</summary>
public static class ProvenanceSection
{
    public static AuditSection Build(string checkpoint)
    {
        var section = new AuditSection("provenance", "Provenance of the checkpoint");
        var cardPath = Path.Combine(checkpoint, "card.json");
        ModelCard? card = File.Exists(cardPath) ? ModelCard.FromJson(Data.TextFile.Read(cardPath), cardPath) : null;
        if (card is not null)
        {
            section.Fact("kind", card.Kind).Fact("loom_version", card.LoomVersion).Fact("created_utc", card.CreatedUtc.ToString("u"))
                .Fact("command_line", card.CommandLine ?? "(not recorded)").Fact("seed", card.Seed?.ToString() ?? "(not recorded)")
                .Fact("device", card.Device ?? "(not recorded)");
            section.Tables.Add(new AuditTable("Training data", ["source", "sha256", "bytes"],
                card.Data.Select(d => (IReadOnlyList<string>)[d.Source, d.Sha256 ?? "(none)", d.Bytes?.ToString() ?? ""]).ToList()));
        }
        var weights = Directory.EnumerateFiles(checkpoint, "*.safetensors").Order(StringComparer.Ordinal).ToList();
        section.Tables.Add(new AuditTable("Weight files", ["file", "bytes", "sha256"],
            weights.Select(w => (IReadOnlyList<string>)[Path.GetFileName(w), new FileInfo(w).Length.ToString(), FileHash.Sha256(w)])
                .ToList()));
        string manifest;
        try
        {
            manifest = CheckpointManifest.Verify(checkpoint) ? "every file matches manifest.json" : "no manifest.json";
        }
        catch (LoomDataException e)
        {
            manifest = "MISMATCH: " + e.Message;
        }
        section.Fact("manifest", manifest);
        string data = card is null ? "no model card, so the training data is unknown"
            : card.Data.Count == 0 ? "the model card names no training data file"
            : $"trained on {card.Data.Count} recorded data file(s) ({string.Join(", ", card.Data.Select(Short))})";
        section.Finding = $"{data}; {manifest}.";
        return section;
    }

    private static string Short(DataProvenance d) =>
        $"{Path.GetFileName(d.Source)}{(d.Sha256 is { Length: >= 12 } sha ? " sha256:" + sha[..12] : "")}";
}
