using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Samplers;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022): a second-order multistep solver of the diffusion ODE in data-prediction form over
/// the half log-SNR λ. The first step and the final step to σ = 0 are first order (which equals DDIM there).
/// </summary>
public sealed class DpmSolverPlusPlusSampler : IDiffusionSampler
{
    private Tensor? previousX0;
    private double previousH;

    public string Name => "dpm++2m";

    public Tensor Step(Tensor x, int i, IReadOnlyList<NoiseLevel> levels, DenoiseFunction denoise, Func<Tensor> noise)
    {
        var (current, next) = (levels[i], levels[i + 1]);
        var (x0, _) = denoise(x, current);
        if (next.IsClean)
        {
            Remember(x0, 0);
            return x0.alias();
        }
        double h = next.Lambda - current.Lambda;
        Tensor d = x0;
        if (previousX0 is not null && previousH > 0)
        {
            double r = previousH / h;
            d = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * previousX0;
        }
        var result = next.NoiseScale / current.NoiseScale * x - next.Alpha * (Math.Exp(-h) - 1) * d;
        Remember(x0, h);
        return result;
    }

    private void Remember(Tensor x0, double h)
    {
        previousX0?.Dispose();
        previousX0 = x0.detach().clone().DetachFromDisposeScope();
        previousH = h;
    }

    public void Reset()
    {
        previousX0?.Dispose();
        previousX0 = null;
        previousH = 0;
    }
}
