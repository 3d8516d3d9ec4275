using Loom.Core;

namespace Loom.Watermarks.Images;

/// <summary>
/// The invisible watermark Loom puts on generated images (<see cref="ImageWatermarker"/>, <see cref="ImageWatermarkDetector"/>).
/// On by default with the public key <see cref="DefaultKey"/>: anyone who knows a key can detect the mark and, with
/// some effort, remove it, so a private key is needed when removal matters. See docs/image-watermark.md.
/// </summary>
/// <remarks>A class rather than a record: C# forbids a member named <c>Clone</c> in records.</remarks>
public sealed class ImageWatermarkOptions
{
    /// <summary>The public key used when none is given.</summary>
    public const string DefaultKey = "loom";

    /// <summary>The environment variable the CLI and server read a key from when no key is passed.</summary>
    public const string KeyVariable = "LOOM_IMAGE_WATERMARK_KEY";

    /// <summary>Smallest image side that can carry the mark.</summary>
    public const int MinSide = 16;

    /// <summary>Mark generated images (default true); false turns the watermark off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The secret (or public) key: it seeds the payload, coefficients, directions and dither.</summary>
    public string Key { get; init; } = DefaultKey;

    /// <summary>Payload bits, all derived from <see cref="Key"/> (8..128).</summary>
    public int PayloadBits { get; init; } = 32;

    /// <summary>The quantisation step of the spread-transform dither modulation, in pixel units (intensity 0..1, orthonormal
    /// DCT). Larger is more robust and more visible: the mean squared change per bit is about Strength²/12.</summary>
    public double Strength { get; init; } = 0.2;

    /// <summary>Embed → clip to [0,1] → re-embed passes, so the mark survives clipping (black backgrounds).</summary>
    public int Iterations { get; init; } = 8;

    /// <summary>The false-positive rate the detection threshold is set for, counting the detector's alignment search.</summary>
    public double FalsePositiveRate { get; init; } = 1e-3;

    /// <summary>Let the detector try undoing a centred crop-and-resize and a blur (counted in the threshold); false tries
    /// the image as it is only, which lowers the threshold.</summary>
    public bool SearchAlignments { get; init; } = true;

    /// <summary>The options with a key from, in order: <paramref name="key"/>, <see cref="KeyVariable"/>,
    /// <see cref="DefaultKey"/>.</summary>
    public static ImageWatermarkOptions WithKey(string? key, bool enabled = true) => new()
    {
        Key = !string.IsNullOrEmpty(key) ? key
            : Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultKey,
        Enabled = enabled,
    };

    /// <summary>A copy.</summary>
    public ImageWatermarkOptions Clone() => (ImageWatermarkOptions)MemberwiseClone();

    /// <summary>Throws <see cref="LoomUsageException"/> naming the first option that cannot be used.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Key))
            throw LoomUsageException.ForOption(nameof(Key), "the watermark key is empty");
        if (PayloadBits is < 8 or > 128)
            throw LoomUsageException.ForOption(nameof(PayloadBits), $"must be in 8..128, got {PayloadBits}");
        if (!(Strength > 0 && Strength <= 2))
            throw LoomUsageException.ForOption(nameof(Strength), $"must be in (0, 2], got {Strength}");
        if (Iterations is < 1 or > 100)
            throw LoomUsageException.ForOption(nameof(Iterations), $"must be in 1..100, got {Iterations}");
        if (!(FalsePositiveRate > 0 && FalsePositiveRate < 0.5))
            throw LoomUsageException.ForOption(nameof(FalsePositiveRate), $"must be in (0, 0.5), got {FalsePositiveRate}");
    }
}
