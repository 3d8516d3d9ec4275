using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models;

/// <summary>The size of a model's images: channels (1 grey, 3 RGB), height and width in pixels.</summary>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The size as OpenAI's images API writes it, width first: <c>28x28</c>.</summary>
    public string Size => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}");

    /// <summary>The image shape of samples shaped <paramref name="sampleShape"/> ([C, H, W]); null for vectors.</summary>
    public static ImageShape? Of(IReadOnlyList<long> sampleShape, bool images) =>
        images && sampleShape.Count == 3 ? new ImageShape((int)sampleShape[0], (int)sampleShape[1], (int)sampleShape[2]) : null;

    /// <summary>The shape as a config.json value, [channels, height, width].</summary>
    public JsonArray ToJson() => new(Channels, Height, Width);

    /// <summary>The shape a config's <paramref name="key"/> holds as [channels, height, width]; null when it has none.</summary>
    public static ImageShape? FromConfig(ConfigValues values, string key = "image")
    {
        if (!values.Has(key))
            return null;
        var sides = values.Longs(key, 1, 1 << 14, 3);
        if (sides.Length != 3) throw new LoomDataException($"config.json: '{key}' must be [channels, height, width]");
        return new ImageShape((int)sides[0], (int)sides[1], (int)sides[2]);
    }
}
