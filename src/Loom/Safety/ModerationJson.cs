using System.Text.Json.Nodes;

namespace Loom.Safety;

/// <summary>The JSON form of a <see cref="ModerationResult"/> that <c>loom sample</c> and the server return.</summary>
public static class ModerationJson
{
    /// <summary><c>{"verdict": "clean|flagged|redacted|blocked", "flags": [{category, score, start, length, detector, detail}]}</c>;
    /// positions are characters of the original (unredacted) text.</summary>
    public static JsonObject From(ModerationResult result) => new()
    {
        ["verdict"] = Verdict(result),
        ["flags"] = new JsonArray(result.Flags.Select(f => (JsonNode)new JsonObject
        {
            ["category"] = f.Category,
            ["score"] = f.Score,
            ["start"] = f.Start,
            ["length"] = f.Length,
            ["detector"] = f.Detector,
            ["detail"] = f.Detail,
        }).ToArray()),
    };

    public static string Verdict(ModerationResult result) =>
        result.Blocked ? "blocked" : result.Redacted ? "redacted" : result.Flagged ? "flagged" : "clean";
}
