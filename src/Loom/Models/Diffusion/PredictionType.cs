using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>What the denoiser is trained to output for x_t = √ᾱ x_0 + √(1−ᾱ) ε.</summary>
public enum PredictionType
{
    /// <summary>The noise ε (DDPM).</summary>
    Epsilon,
    /// <summary>The clean sample x_0.</summary>
    Sample,
    /// <summary>The velocity v = √ᾱ ε − √(1−ᾱ) x_0 (progressive distillation).</summary>
    Velocity,
}

/// <summary>Conversions between a model output and the (x̂_0, ε̂) pair every sampler works with.</summary>
public static class Predictions
{
    /// <summary>The training target for clean data <paramref name="x0"/>, noise <paramref name="noise"/> at ᾱ (a broadcastable
    /// tensor).</summary>
    public static Tensor Target(PredictionType type, Tensor x0, Tensor noise, Tensor alphaBar) => type switch
    {
        PredictionType.Epsilon => noise,
        PredictionType.Sample => x0,
        _ => alphaBar.sqrt() * noise - (1 - alphaBar).sqrt() * x0,
    };

    /// <summary>(x̂_0, ε̂) from a model output at x_t with noise level ᾱ.</summary>
    public static (Tensor X0, Tensor Eps) Split(PredictionType type, Tensor output, Tensor xt, double alphaBar)
    {
        double a = Math.Sqrt(alphaBar), s = Math.Sqrt(1 - alphaBar);
        return type switch
        {
            PredictionType.Epsilon => ((xt - s * output) / a, output),
            PredictionType.Sample => (output, (xt - a * output) / s),
            _ => (a * xt - s * output, s * xt + a * output),
        };
    }

    /// <summary>
    /// (x̂_0, ε̂) from a model output at x_t with a noise level per example: <paramref name="alphaBar"/> broadcasts against
    /// x_t (e.g. [n, 1, 1, 1]).
    /// </summary>
    public static (Tensor X0, Tensor Eps) Split(PredictionType type, Tensor output, Tensor xt, Tensor alphaBar)
    {
        var a = alphaBar.sqrt();
        var s = (1 - alphaBar).sqrt();
        return type switch
        {
            PredictionType.Epsilon => ((xt - s * output) / a, output),
            PredictionType.Sample => (output, (xt - a * output) / s),
            _ => (a * xt - s * output, s * xt + a * output),
        };
    }

    /// <summary>
    /// Loss weights per example for min-SNR-γ weighting (Hang et al. 2023): the loss in x_0 space is weighted by
    /// min(SNR, γ); expressed for each target. γ ≤ 0 gives weight 1.
    /// </summary>
    public static Tensor MinSnrWeights(PredictionType type, Tensor snr, double gamma)
    {
        if (gamma <= 0) return torch.ones_like(snr);
        var clipped = snr.clamp_max(gamma);
        return type switch
        {
            PredictionType.Epsilon => clipped / snr,
            PredictionType.Sample => clipped,
            _ => clipped / (snr + 1),
        };
    }

    public static PredictionType Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "epsilon" or "eps" => PredictionType.Epsilon,
        "sample" or "x0" => PredictionType.Sample,
        "v" or "v-prediction" or "v_prediction" or "velocity" => PredictionType.Velocity,
        _ => throw LoomUsageException.ForOption("Prediction", $"unknown target '{text}' (epsilon, x0, v)"),
    };

    public static string Name(PredictionType type) => type switch
    {
        PredictionType.Epsilon => "epsilon",
        PredictionType.Sample => "x0",
        _ => "v",
    };
}
