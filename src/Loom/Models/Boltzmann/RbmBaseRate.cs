using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The base-rate model of annealed importance sampling (Salakhutdinov &amp; Murray 2008) and a good start for an RBM's
/// visible biases: visible units independent, with the data's marginals — bᵢ = log(pᵢ / (1 − pᵢ)) for binary units
/// (pᵢ the data mean, kept in [ε, 1 − ε]), the data mean for Gaussian ones.
/// </summary>
public static class RbmBaseRate
{
    /// <summary>Smoothing of pixel means that are exactly 0 or 1.</summary>
    public const double Epsilon = 1e-3;

    /// <summary>The base-rate visible biases of the rows of <paramref name="data"/> [n, V], in its dtype. [V].</summary>
    public static Tensor VisibleBias(Tensor data, RbmVisible visible)
    {
        using var scope = torch.NewDisposeScope();
        var mean = data.mean([0]);
        if (visible == RbmVisible.Gaussian)
            return mean.MoveToOuterDisposeScope();
        var p = mean.clamp(Epsilon, 1 - Epsilon);
        return (p / (1 - p)).log().MoveToOuterDisposeScope();
    }
}
