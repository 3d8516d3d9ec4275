using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Diffusion;

/// <summary>
/// The exact ε-predictor for data x_0 ~ N(μ, s²) per dimension: E[x_0 | x_t] = μ + √ᾱ s²/(ᾱ s² + 1 − ᾱ)·(x_t − √ᾱ μ),
/// ε̂ = (x_t − √ᾱ x̂_0)/√(1−ᾱ). Any correct sampler driven by it must return N(μ, s²) samples.
/// </summary>
public sealed class GaussianDenoiser(NoiseSchedule schedule, double mean, double std) : Denoiser("gaussian")
{
    public override int NumClasses => 0;

    public override Tensor Predict(Tensor x, Tensor timesteps, Tensor? labels)
    {
        var t = timesteps.to(ScalarType.Float64).data<double>().ToArray();
        var alphaBar = torch.tensor(t.Select(schedule.AlphaBarAt).ToArray(), ScalarType.Float64)
            .reshape([x.shape[0], .. Enumerable.Repeat(1L, (int)x.dim() - 1)]).to(x.dtype);
        var a = alphaBar.sqrt();
        var s2 = std * std;
        var x0 = mean + a * s2 / (alphaBar * s2 + 1 - alphaBar) * (x - a * mean);
        return (x - a * x0) / (1 - alphaBar).sqrt();
    }
}
