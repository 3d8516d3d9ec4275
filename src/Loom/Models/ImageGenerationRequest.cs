using Loom.Models.Diffusion;
using Loom.Safety.Images;
using Loom.Watermarks.Images;

namespace Loom.Models;

/// <summary>What <see cref="GeneratedImages"/> draws from an image model. A record: change a copy with <c>with { }</c>.</summary>
public sealed record ImageGenerationRequest
{
    /// <summary>How many images.</summary>
    public int Count { get; init; } = 1;

    /// <summary>The seed: the same request with the same seed gives the same images on CPU.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// The class index to generate (class-conditional models, see <see cref="ModelClasses"/>); null spreads the images over
    /// the classes (each image's class comes back with it) or, for an unconditional model, draws plain samples.
    /// </summary>
    public int? Class { get; init; }

    /// <summary>Latent noise scale of a VAE or GAN and the code prior's temperature of a VQ-VAE (see
    /// <see cref="SampleRequest.Temperature"/>); diffusion models take only 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sampler, steps and guidance of a diffusion model; null: the model's defaults. Other families refuse it.</summary>
    public DiffusionSettings? Diffusion { get; init; }

    /// <summary>The invisible watermark put on every image (on by default with the public key
    /// <see cref="ImageWatermarkOptions.DefaultKey"/>; <c>Enabled = false</c> turns it off).</summary>
    public ImageWatermarkOptions Watermark { get; init; } = new();

    /// <summary>The near-copy check each image passes before the watermark goes on (its flag comes back with the image;
    /// withheld images come back blank); null: no check. Its training images must have the model's image shape.</summary>
    public ImageMemorizationDetector? Memorization { get; init; }
}
