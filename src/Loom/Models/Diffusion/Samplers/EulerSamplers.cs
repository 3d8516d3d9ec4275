using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Samplers;

/// <summary>
/// Helpers for solvers written in the variance-exploding form x̃ = x/√ᾱ = x_0 + σ ε (Karras et al. 2022): convert
/// the VP state in, take the step over σ, convert back.
/// </summary>
internal static class VarianceExploding
{
    public static Tensor ToVe(Tensor x, NoiseLevel level) => x / level.Alpha;
    public static Tensor FromVe(Tensor xVe, NoiseLevel level) => level.IsClean ? xVe : xVe * level.Alpha;
    /// <summary>dx̃/dσ = (x̃ − x̂_0)/σ.</summary>
    public static Tensor Derivative(Tensor xVe, Tensor x0, NoiseLevel level) => (xVe - x0) / level.Sigma;
}

/// <summary>Euler's method on the probability-flow ODE in σ (Karras et al. 2022, Algorithm 1 without churn).</summary>
public sealed class EulerSampler : IDiffusionSampler
{
    public string Name => "euler";

    public Tensor Step(Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise, Func<Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var (x0, _) = denoise(x, current);
        var xVe = VarianceExploding.ToVe(x, current);
        var d = VarianceExploding.Derivative(xVe, x0, current);
        return VarianceExploding.FromVe(xVe + (next.Sigma - current.Sigma) * d, next);
    }

    public void Reset() { }
}

/// <summary>
/// Euler ancestral: an Euler step down to σ_down, then fresh noise of size σ_up, with σ_up² + σ_down² = σ_next² and
/// σ_up = min(σ_next, √(σ_next²(σ²−σ_next²)/σ²)) (k-diffusion's η = 1 split).
/// </summary>
public sealed class EulerAncestralSampler : IDiffusionSampler
{
    public string Name => "euler-a";

    public Tensor Step(Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise, Func<Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var (x0, _) = denoise(x, current);
        double sigma = current.Sigma, sigmaNext = next.Sigma;
        double sigmaUp =
            Math.Min(sigmaNext, Math.Sqrt(Math.Max(0, sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma))));
        double sigmaDown = Math.Sqrt(Math.Max(0, sigmaNext * sigmaNext - sigmaUp * sigmaUp));
        var xVe = VarianceExploding.ToVe(x, current);
        var d = VarianceExploding.Derivative(xVe, x0, current);
        var stepped = xVe + (sigmaDown - sigma) * d;
        if (sigmaUp > 0) stepped = stepped + sigmaUp * noise();
        return VarianceExploding.FromVe(stepped, next);
    }

    public void Reset() { }
}

/// <summary>
/// Heun's second-order method (Karras et al. 2022, Algorithm 1): an Euler predictor, a second model evaluation at the
/// next level, the average of both slopes. The last step to σ = 0 is a plain Euler step. Two evaluations per step.
/// </summary>
public sealed class HeunSampler : IDiffusionSampler
{
    public string Name => "heun";

    public Tensor Step(Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise, Func<Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var (x0, _) = denoise(x, current);
        var xVe = VarianceExploding.ToVe(x, current);
        var d = VarianceExploding.Derivative(xVe, x0, current);
        double dt = next.Sigma - current.Sigma;
        var predicted = xVe + dt * d;
        if (next.IsClean) return predicted;
        var (x0Next, _) = denoise(VarianceExploding.FromVe(predicted, next), next);
        var dNext = VarianceExploding.Derivative(predicted, x0Next, next);
        return VarianceExploding.FromVe(xVe + dt * 0.5 * (d + dNext), next);
    }

    public void Reset() { }
}
