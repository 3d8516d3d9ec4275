using System.Text.Json.Nodes;
using Loom.Models;

namespace Loom.Server.Images;

/// <summary>
/// How a generated image's near-copy finding appears in a response: <c>loom_moderation</c> with the one flag (category
/// <c>memorization</c>, score, the training image's index and name, the RMS distance and threshold) and
/// <c>withheld: true</c> when its pixels were left out, so nothing disappears without a trace.
/// </summary>
public static class ImageModeration
{
    /// <summary><paramref name="item"/> with <c>loom_moderation</c> added when <paramref name="image"/> was flagged.</summary>
    public static JsonObject Annotate(JsonObject item, GeneratedImage image)
    {
        if (image.Memorization is not { } flag)
            return item;
        var json = new JsonObject
        {
            ["category"] = flag.Category, ["score"] = Math.Round(flag.Score, 4), ["training_index"] = flag.TrainingIndex,
            ["source"] = flag.Source, ["distance"] = Math.Round(flag.Distance, 6), ["threshold"] = Math.Round(flag.Threshold, 6),
            ["detail"] = flag.Detail,
        };
        if (flag.TrainingName is { } name) json["training_name"] = name;
        item["loom_moderation"] = new JsonObject
        {
            ["flagged"] = true, ["withheld"] = image.Withheld, ["flags"] = new JsonArray(json),
        };
        return item;
    }
}
