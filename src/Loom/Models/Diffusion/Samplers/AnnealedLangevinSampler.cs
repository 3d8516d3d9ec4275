using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Samplers;

/// <summary>
/// Annealed Langevin dynamics (Song &amp; Ermon 2019) for a noise-conditional score model. A denoiser is a score model:
/// in the variance-exploding form x̃ = x_0 + σε its score is ∇ log p_σ(x̃) = −ε̂/σ. At each level from noisiest to
/// cleanest, <c>StepsPerLevel</c> Langevin moves x̃ ← x̃ + δ·score + √(2δ)·z, with the per-sample step δ set by a
/// target signal-to-noise ratio, δ = 2(snr·‖z‖/‖score‖)² with norms averaged over the batch (Song et al. 2021's
/// corrector; per-sample norms are too noisy in low dimensions). The last level ends with the
/// denoised estimate (Tweedie), as in NCSNv2. Each move contracts toward the level's mode by about 2·snr², so the
/// moves per level must cover the ratio between consecutive noise levels: 40 moves at snr 0.16 over 30 levels of a
/// 1000-step linear schedule recover Gaussian data (SamplerTests; 20 leave the mean 0.1 short); 5 moves at snr 0.1 diverge.
/// </summary>
public sealed class AnnealedLangevinSampler : IDiffusionSampler
{
    public AnnealedLangevinSampler(int stepsPerLevel = 40, double snr = 0.16)
    {
        if (stepsPerLevel < 1) throw LoomUsageException.ForOption("LangevinSteps", $"must be at least 1, got {stepsPerLevel}");
        if (!(snr > 0)) throw LoomUsageException.ForOption(nameof(Snr), $"must be positive, got {snr}");
        StepsPerLevel = stepsPerLevel;
        Snr = snr;
    }

    public string Name => "langevin";
    public int StepsPerLevel { get; }
    public double Snr { get; }

    public Tensor Step(Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise, Func<Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var xVe = VarianceExploding.ToVe(x, current);
        double sigma = current.Sigma;
        long[] reduce = Enumerable.Range(1, (int)x.dim() - 1).Select(d => (long)d).ToArray();
        for (int k = 0; k < StepsPerLevel; k++)
        {
            var (_, eps) = denoise(VarianceExploding.FromVe(xVe, current), current);
            var score = -eps / sigma;
            var z = noise();
            double zNorm = (reduce.Length == 0 ? z.abs() : z.square().sum(reduce).sqrt()).mean().ToDouble();
            double scoreNorm = (reduce.Length == 0 ? score.abs() : score.square().sum(reduce).sqrt()).mean().ToDouble();
            double delta = 2 * Math.Pow(Snr * zNorm / Math.Max(scoreNorm, 1e-12), 2);
            xVe = xVe + delta * score + Math.Sqrt(2 * delta) * z;
        }
        if (next.IsClean)
        {
            var (x0, _) = denoise(VarianceExploding.FromVe(xVe, current), current);
            return x0;
        }
        return VarianceExploding.FromVe(xVe, next);
    }

    public void Reset() { }
}
