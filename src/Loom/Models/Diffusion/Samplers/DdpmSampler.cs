namespace Loom.Models.Diffusion.Samplers;

/// <summary>
/// DDPM ancestral sampling (Ho et al. 2020): x_prev ~ q(x_prev | x_t, x̂_0), the Gaussian posterior with the "fixed
/// small" variance β̃ = (1−ᾱ_prev)/(1−ᾱ_t)·(1−ᾱ_t/ᾱ_prev). Works on a strided path (fewer steps than training), where
/// 1−ᾱ_t/ᾱ_prev plays the role of β_t.
/// </summary>
public sealed class DdpmSampler : IDiffusionSampler
{
    public string Name => "ddpm";

    public TorchSharp.torch.Tensor Step(TorchSharp.torch.Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise,
        Func<TorchSharp.torch.Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var (x0, _) = denoise(x, current);
        double a = current.AlphaBar, aPrev = next.AlphaBar;
        double beta = 1 - a / aPrev;
        double x0Coefficient = Math.Sqrt(aPrev) * beta / (1 - a);
        double xtCoefficient = Math.Sqrt(1 - beta) * (1 - aPrev) / (1 - a);
        var mean = x0Coefficient * x0 + xtCoefficient * x;
        if (next.IsClean) return mean;
        double variance = (1 - aPrev) / (1 - a) * beta;
        return mean + Math.Sqrt(Math.Max(variance, 1e-20)) * noise();
    }

    public void Reset() { }
}

/// <summary>
/// DDIM (Song et al. 2021): x_prev = √ᾱ_prev x̂_0 + √(1−ᾱ_prev−σ²) ε̂ + σ z with σ = η·√((1−ᾱ_prev)/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_prev).
/// η = 0 is deterministic (an ODE solver; invertible), η = 1 matches DDPM's posterior variance.
/// </summary>
public sealed class DdimSampler(double eta = 0) : IDiffusionSampler
{
    public string Name => "ddim";
    public double Eta { get; } = eta >= 0 ? eta : throw Core.LoomUsageException.ForOption(nameof(Eta), $"must be non-negative, got {eta}");

    public TorchSharp.torch.Tensor Step(TorchSharp.torch.Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise,
        Func<TorchSharp.torch.Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var (x0, eps) = denoise(x, current);
        double a = current.AlphaBar, aPrev = next.AlphaBar;
        double sigma = Eta * Math.Sqrt((1 - aPrev) / (1 - a)) * Math.Sqrt(Math.Max(0, 1 - a / aPrev));
        var result = Math.Sqrt(aPrev) * x0 + Math.Sqrt(Math.Max(0, 1 - aPrev - sigma * sigma)) * eps;
        return sigma > 0 ? result + sigma * noise() : result;
    }

    /// <summary>
    /// The deterministic (η = 0) step run backwards, from level i+1 to level i: the DDIM inversion used to find the
    /// noise that produces a given image. ε̂ is evaluated at the starting (less noisy) level, as in the DDIM paper.
    /// </summary>
    public static TorchSharp.torch.Tensor Invert(TorchSharp.torch.Tensor x, NoiseLevel from, NoiseLevel to, DenoiseFunction denoise)
    {
        var (x0, eps) = from.IsClean ? (x, TorchSharp.torch.zeros_like(x)) : denoise(x, from);
        return to.Alpha * x0 + to.NoiseScale * eps;
    }

    public void Reset() { }
}
