using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The pseudo-likelihood of binary data as scikit-learn's <c>BernoulliRBM.score_samples</c> defines it: for each row,
/// one unit i chosen uniformly at random is flipped (v → ṽ) and the score is V · log σ(F(ṽ) − F(v)), a stochastic
/// estimate of Σᵢ log p(vᵢ | v₋ᵢ). In nats per example; higher is better.
/// </summary>
public static class PseudoLikelihood
{
    /// <summary>
    /// The scores of the rows of binary <paramref name="v"/> [n, V], with flipped units drawn from <paramref name="seed"/>. [n].
    /// </summary>
    public static Tensor Score(RbmParameters rbm, Tensor v, long seed)
    {
        if (rbm.Visible != RbmVisible.Bernoulli)
            throw new LoomUsageException("pseudo-likelihood is defined here for binary visible units only");
        using var generator = Seeding.Generator(seed, "pseudo-likelihood");
        var units = torch.randint(0, v.shape[1], [v.shape[0]], dtype: ScalarType.Int64, generator: generator);
        return Score(rbm, v, units);
    }

    /// <summary>The scores with unit <paramref name="units"/>[r] flipped in row r. [n].</summary>
    public static Tensor Score(RbmParameters rbm, Tensor v, Tensor units)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = v.to(rbm.Weight.dtype);
        var flipped = x.clone();
        var rows = torch.arange(x.shape[0], dtype: ScalarType.Int64);
        var index = new TensorIndex[] { TensorIndex.Tensor(rows), TensorIndex.Tensor(units) };
        flipped[index] = 1 - x[index];
        var fe = rbm.FreeEnergy(x);
        var feFlipped = rbm.FreeEnergy(flipped);
        return (x.shape[1] * torch.nn.functional.logsigmoid(feFlipped - fe)).to(ScalarType.Float64).MoveToOuterDisposeScope();
    }
}
