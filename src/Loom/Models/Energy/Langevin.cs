using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// Stochastic Gradient Langevin Dynamics on a batch of chains: the energy's gradient comes from autograd with respect to
/// the inputs only (no parameter receives a gradient), the noise from a given generator, so a run is reproducible.
/// </summary>
public static class Langevin
{
    /// <summary>∇ₓ Σᵢ E(xᵢ) at <paramref name="x"/> (the energy's [n] values summed; rows are independent chains).</summary>
    public static Tensor Gradient(Func<Tensor, Tensor> energy, Tensor x)
    {
        using var enable = torch.enable_grad();
        var leaf = x.detach().requires_grad_(true);
        var value = energy(leaf);
        return torch.autograd.grad([value.sum()], [leaf])[0].detach();
    }

    /// <summary>
    /// Runs <see cref="SgldOptions.Steps"/> SGLD updates from <paramref name="start"/> and returns the final states (a new
    /// tensor without gradient). <paramref name="progress"/> hears (done, total) after each step; cancellation stops
    /// between steps and returns the states so far.
    /// </summary>
    public static Tensor Run(Func<Tensor, Tensor> energy, Tensor start, SgldOptions options, Generator generator,
        Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var x = start.detach().clone();
        for (int k = 0; k < options.Steps && !cancellation.IsCancellationRequested; k++)
        {
            using var scope = torch.NewDisposeScope();
            var grad = Gradient(energy, x);
            using var noGrad = torch.no_grad();
            var next = x - options.StepSize / 2 * grad;
            if (options.Noise > 0)
                next = next + options.Noise * torch.randn(x.shape, x.dtype, generator: generator);
            if (options.Low is { } low && options.High is { } high)
                next = next.clamp(low, high);
            x.copy_(next);
            progress?.Invoke(k + 1, options.Steps);
        }
        return x;
    }
}
