namespace Loom.Models;

/// <summary>
/// A model whose samples may be images (diffusion, GAN, VAE, VQ-VAE): its <see cref="TensorSamples"/> are then
/// <c>[n, C, H, W]</c> in [0, 1]. <see cref="GeneratedImages"/> turns them into PNG files.
/// </summary>
public interface IImageGenerator
{
    /// <summary>The size of the model's images; null when this model was trained on vectors, not images.</summary>
    ImageShape? ImageShape { get; }
}
