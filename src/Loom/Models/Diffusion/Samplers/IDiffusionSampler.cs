using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Samplers;

/// <summary>
/// A point on the sampling path: the (continuous) training timestep the model is evaluated at and its ᾱ. The clean
/// end of a path is <see cref="Clean"/> (ᾱ = 1, σ = 0); the model is never evaluated there.
/// </summary>
public sealed record NoiseLevel(double Timestep, double AlphaBar)
{
    public static NoiseLevel Clean { get; } = new(-1, 1);
    public bool IsClean => AlphaBar >= 1;
    /// <summary>Variance-exploding noise level σ = √((1−ᾱ)/ᾱ).</summary>
    public double Sigma => IsClean ? 0 : NoiseSchedule.SigmaOf(AlphaBar);
    /// <summary>√ᾱ, the signal scale of x_t.</summary>
    public double Alpha => Math.Sqrt(AlphaBar);
    /// <summary>√(1−ᾱ), the noise scale of x_t.</summary>
    public double NoiseScale => Math.Sqrt(1 - AlphaBar);
    /// <summary>Half log-SNR λ = log(√ᾱ/√(1−ᾱ)) (DPM-Solver's time variable).</summary>
    public double Lambda => IsClean ? double.PositiveInfinity : Math.Log(Alpha / NoiseScale);
}

/// <summary>
/// The denoiser as samplers see it: (x̂_0, ε̂) for x_t at a noise level, with guidance, clipping and the prediction
/// type already applied, so a sampler never knows how the model was trained.
/// </summary>
public delegate (Tensor X0, Tensor Eps) DenoiseFunction(Tensor x, NoiseLevel level);

/// <summary>
/// One reverse-diffusion solver (DDPM, DDIM, DPM-Solver++, Euler, Heun, …). The state x is always in the
/// variance-preserving parameterization x_t = √ᾱ x_0 + √(1−ᾱ) ε, so inpainting and image-to-image can noise known
/// pixels the same way for every sampler; variance-exploding solvers convert inside <see cref="Step"/>.
/// A sampler instance carries per-run state (multistep history): create one per generation.
/// </summary>
public interface IDiffusionSampler
{
    string Name { get; }

    /// <summary>Advances x from <c>levels[i]</c> to <c>levels[i + 1]</c>.</summary>
    /// <param name="noise">Draws standard normal noise shaped like x (seeded by the caller; CPU-generated so CUDA and CPU agree).</param>
    Tensor Step(Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise, Func<Tensor> noise);

    /// <summary>Forgets multistep history before a new run, or when inpainting resampling jumps back.</summary>
    void Reset();
}
