using System.Text.Json.Nodes;

namespace Loom.Evaluation.Audit;

/// <summary>The formal privacy guarantee a checkpoint's card records (the <c>privacy</c> object DP-SGD training writes), or the
/// statement that there is none.</summary>
public static class PrivacySection
{
    public static AuditSection Build(string checkpoint)
    {
        var section = new AuditSection("privacy", "Differential privacy");
        var cardPath = Path.Combine(checkpoint, "card.json");
        var privacy = File.Exists(cardPath) ? JsonNode.Parse(Data.TextFile.Read(cardPath))?["privacy"] as JsonObject : null;
        if (privacy is null)
        {
            section.Finding = "not trained with differential privacy: the checkpoint carries no formal privacy guarantee.";
            return section;
        }
        foreach (var (name, value) in privacy)
            section.Fact(name, value is JsonValue v && v.TryGetValue<double>(out var number)
                ? number.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) : value?.ToJsonString() ?? "");
        section.Finding = privacy["epsilon"] is { } epsilon && privacy["delta"] is { } delta
            ? $"trained with differential privacy: (ε = {epsilon}, δ = {delta})."
            : "the card has a privacy record without ε and δ.";
        return section;
    }
}
