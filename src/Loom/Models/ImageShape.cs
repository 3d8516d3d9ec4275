using System.Globalization;

namespace Loom.Models;

/// <summary>The size of a model's images: channels (1 grey, 3 RGB), height and width in pixels.</summary>
public sealed record ImageShape(int Channels, int Height, int Width)
{
    /// <summary>The size as OpenAI's images API writes it, width first: <c>28x28</c>.</summary>
    public string Size => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}");

    /// <summary>The image shape of samples shaped <paramref name="sampleShape"/> ([C, H, W]); null for vectors.</summary>
    public static ImageShape? Of(IReadOnlyList<long> sampleShape, bool images) =>
        images && sampleShape.Count == 3 ? new ImageShape((int)sampleShape[0], (int)sampleShape[1], (int)sampleShape[2]) : null;
}
