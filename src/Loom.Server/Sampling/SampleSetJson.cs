using System.Text.Json.Nodes;
using Loom.Models;

namespace Loom.Server.Sampling;

/// <summary>
/// Generated images in the server's <c>/v1/loom/sample</c> body (base64 PNGs with each image's class and its moderation
/// annotations); every other kind of sample set takes its JSON form from the library (<see cref="Loom.IO.SampleJson"/>).
/// </summary>
public static class SampleSetJson
{
    /// <summary>Generated images: base64 PNGs with each image's class.</summary>
    public static JsonObject Images(IReadOnlyList<GeneratedImage> images) => new()
    {
        ["type"] = "images",
        ["images"] = new JsonArray(images.Select(image =>
        {
            var item = new JsonObject();
            if (!image.Withheld) item["b64_json"] = Convert.ToBase64String(image.Png);
            if (image.Label is { } label) item["label"] = label;
            if (image.ClassName is { } name) item["class"] = name;
            return (JsonNode)Loom.Server.Images.ImageModeration.Annotate(item, image);
        }).ToArray()),
    };
}
