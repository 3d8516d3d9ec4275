using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loom.Server.Images;

/// <summary>
/// Which stored models generate images, read from their config.json without loading weights: VQ-VAEs always, diffusion
/// models, GANs and VAEs when trained on images (their config's <c>images</c>). <c>GET /v1/models</c> lists them with
/// the capability <see cref="Capability"/>; the images route checks the loaded model again.
/// </summary>
public static class ImageModels
{
    public const string Capability = "images.generations";

    /// <summary>True when a model of <paramref name="kind"/> with <paramref name="config"/> generates images.</summary>
    public static bool FromConfig(string kind, JsonObject config) => kind switch
    {
        "vqvae" => true,
        "diffusion" or "gan" or "vae" => config["images"] is JsonValue images && images.GetValueKind() == JsonValueKind.True,
        _ => false,
    };
}
