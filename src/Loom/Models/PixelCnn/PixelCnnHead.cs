using Loom.Core;

namespace Loom.Models.PixelCnn;

/// <summary>What a PixelCNN predicts for each pixel.</summary>
public enum PixelCnnHead
{
    /// <summary>One Bernoulli logit per pixel: binarized images (pixels 0 or 1).</summary>
    Binary,
    /// <summary>A 256-way softmax per pixel: 8-bit grey levels 0..255.</summary>
    Byte,
}

/// <summary>Names of <see cref="PixelCnnHead"/> in recipes and config.json.</summary>
public static class PixelCnnHeads
{
    /// <summary>binary, or byte (also 256 / 8bit).</summary>
    public static PixelCnnHead Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "binary" or "bernoulli" => PixelCnnHead.Binary,
        "byte" or "256" or "8bit" or "8-bit" => PixelCnnHead.Byte,
        _ => throw LoomUsageException.ForOption("Head", $"expected binary or byte (a 256-way softmax), got '{text}'"),
    };

    public static string Name(this PixelCnnHead head) => head == PixelCnnHead.Binary ? "binary" : "byte";

    /// <summary>Output channels per pixel: 1 logit, or 256.</summary>
    public static int Outputs(this PixelCnnHead head) => head == PixelCnnHead.Binary ? 1 : 256;
}
