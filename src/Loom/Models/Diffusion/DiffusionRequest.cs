using Loom.Models.Diffusion.Samplers;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// One diffusion generation: how many, the seed, the sampler, guidance and class labels, and optionally an input image
/// for image-to-image (<see cref="Strength"/>) or inpainting (<see cref="Mask"/>), or the starting noise itself
/// (latent interpolation). Inputs and outputs are in data space (images in [0, 1]). A record: copy with <c>with { }</c>.
/// </summary>
public sealed record DiffusionRequest
{
    public int Count { get; init; } = 16;
    public long Seed { get; init; }
    public SamplerOptions Sampler { get; init; } = new();
    /// <summary>Classifier-free guidance scale w: ε = ε_uncond + w(ε_cond − ε_uncond); 1 = plain conditional, 0 = unconditional.</summary>
    public double Guidance { get; init; } = 1.0;
    /// <summary>A class per sample (length Count), or null for unconditional samples.</summary>
    public IReadOnlyList<int>? Labels { get; init; }
    /// <summary>Input image(s) [Count or 1, …] for image-to-image and inpainting.</summary>
    public Tensor? Image { get; init; }
    /// <summary>Inpainting mask broadcastable to the image: 1 keeps the input pixel, 0 generates it.</summary>
    public Tensor? Mask { get; init; }
    /// <summary>Image-to-image: how far the input is noised before denoising (1 = from pure noise).</summary>
    public double Strength { get; init; } = 1.0;
    /// <summary>RePaint resampling: each step is repeated this many times, re-noising in between (1 = off).</summary>
    public int Resample { get; init; } = 1;
    /// <summary>Starting noise [Count, …] instead of drawing it from the seed (latent interpolation).</summary>
    public Tensor? InitialNoise { get; init; }
    /// <summary>Clip denoised estimates to the model's data range (<see cref="DiffusionPipeline.ClipRange"/>); null = on.</summary>
    public bool? ClipDenoised { get; init; }
    /// <summary>Called after each step with (done, total).</summary>
    public Action<int, int>? Progress { get; init; }
    public CancellationToken Cancellation { get; init; }
}
