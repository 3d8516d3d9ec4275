namespace Loom.Models;

/// <summary>One generated image as a PNG file's bytes, with the class it was generated for (class-conditional models).</summary>
/// <param name="Png">The PNG file.</param>
/// <param name="Label">The class index, or null for an unconditional model.</param>
/// <param name="ClassName">What the class index names, or null for an unconditional model.</param>
public sealed record GeneratedImage(byte[] Png, int? Label, string? ClassName);
