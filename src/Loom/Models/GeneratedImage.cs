namespace Loom.Models;

/// <summary>One generated image as a PNG file's bytes, with the class it was generated for (class-conditional models) and,
/// when it was checked and found to be a near-copy of a training image, that finding.</summary>
/// <param name="Png">The PNG file.</param>
/// <param name="Label">The class index, or null for an unconditional model.</param>
/// <param name="ClassName">What the class index names, or null for an unconditional model.</param>
public sealed record GeneratedImage(byte[] Png, int? Label, string? ClassName)
{
    /// <summary>The near-copy flag of <see cref="ImageGenerationRequest.Memorization"/>; null when not flagged or not checked.</summary>
    public Safety.Images.ImageMemorizationFlag? Memorization { get; init; }

    /// <summary>True when the image was a near-copy and withheld: <see cref="Png"/> is then a blank image.</summary>
    public bool Withheld { get; init; }
}
