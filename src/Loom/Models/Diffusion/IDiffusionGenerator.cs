using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// The diffusion capability a caller asks a model for (<c>model.GetService&lt;IDiffusionGenerator&gt;()</c>): its
/// configuration (sample shape, classes, default sampler and guidance) and every sampler with guidance, image-to-image,
/// inpainting and chosen starting noise through a <see cref="DiffusionRequest"/>.
/// </summary>
public interface IDiffusionGenerator
{
    DiffusionConfig Config { get; }

    /// <summary>Samples in data space (images in [0, 1]) on the CPU.</summary>
    Tensor Generate(DiffusionRequest request);
}
