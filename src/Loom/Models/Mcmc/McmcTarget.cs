using static TorchSharp.torch;

namespace Loom.Models.Mcmc;

/// <summary>
/// A distribution to sample. Continuous targets give an unnormalised log-density over a batch [chains, d] → [chains]
/// (differentiable for MALA/HMC). Discrete targets give, for variable i, the conditional logits [chains, K] given the
/// other variables of each chain's state [chains, n] (integer categories), for Gibbs sampling.
/// </summary>
public sealed record McmcTarget
{
    public required string Name { get; init; }
    public required int Dimensions { get; init; }
    public Func<Tensor, Tensor>? LogDensity { get; init; }
    /// <summary>Categories per variable (discrete targets).</summary>
    public int Categories { get; init; }
    public Func<Tensor, int, Tensor>? ConditionalLogits { get; init; }
    /// <summary>Where continuous chains start: [d] (jittered per chain).</summary>
    public double[]? Start { get; init; }

    public bool IsDiscrete => ConditionalLogits is not null;
}
