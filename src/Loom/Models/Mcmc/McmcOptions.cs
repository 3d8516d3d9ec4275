using Loom.Core;

namespace Loom.Models.Mcmc;

/// <summary>Which Markov chain Monte Carlo transition to use.</summary>
public enum McmcSampler
{
    /// <summary>Random-walk Metropolis-Hastings with a Gaussian proposal.</summary>
    RandomWalk,
    /// <summary>Metropolis-adjusted Langevin: a gradient step plus noise, with the MH correction.</summary>
    Mala,
    /// <summary>Hamiltonian Monte Carlo: leapfrog trajectories with a momentum refresh and MH accept.</summary>
    Hmc,
    /// <summary>Gibbs sampling over discrete variables, one variable at a time (systematic scan).</summary>
    Gibbs,
}

/// <summary>Options for <see cref="McmcRunner"/>. All chains run as one batch.</summary>
public sealed record McmcOptions
{
    public McmcSampler Sampler { get; init; } = McmcSampler.Hmc;
    public int Chains { get; init; } = 8;
    /// <summary>Draws kept per chain after burn-in and thinning.</summary>
    public int Samples { get; init; } = 1000;
    public int BurnIn { get; init; } = 500;
    /// <summary>Keep every <c>Thin</c>-th state.</summary>
    public int Thin { get; init; } = 1;
    /// <summary>Proposal scale (RWMH), Langevin step (MALA) or leapfrog step (HMC).</summary>
    public double StepSize { get; init; } = 0.1;
    public int LeapfrogSteps { get; init; } = 10;
    /// <summary>Tune the step size during burn-in toward <see cref="TargetAcceptance"/>; fixed afterwards.</summary>
    public bool Adapt { get; init; } = true;
    /// <summary>Acceptance rate adaptation aims for; null = the sampler's textbook value (0.234, 0.574, 0.8).</summary>
    public double? TargetAcceptance { get; init; }
    public long Seed { get; init; }

    public double Target => TargetAcceptance ?? Sampler switch
    {
        McmcSampler.RandomWalk => 0.234,
        McmcSampler.Mala => 0.574,
        _ => 0.8,
    };

    public void Validate()
    {
        if (Chains < 1) throw LoomUsageException.ForOption(nameof(Chains), $"must be at least 1, got {Chains}");
        if (Samples < 2) throw LoomUsageException.ForOption(nameof(Samples), $"must be at least 2, got {Samples}");
        if (BurnIn < 0) throw LoomUsageException.ForOption(nameof(BurnIn), $"must be non-negative, got {BurnIn}");
        if (Thin < 1) throw LoomUsageException.ForOption(nameof(Thin), $"must be at least 1, got {Thin}");
        if (!(StepSize > 0)) throw LoomUsageException.ForOption(nameof(StepSize), $"must be positive, got {StepSize}");
        if (LeapfrogSteps < 1) throw LoomUsageException.ForOption(nameof(LeapfrogSteps), $"must be at least 1, got {LeapfrogSteps}");
    }

    public static McmcSampler ParseSampler(string text) => text.Trim().ToLowerInvariant() switch
    {
        "rwmh" or "mh" or "random-walk" => McmcSampler.RandomWalk,
        "mala" => McmcSampler.Mala,
        "hmc" => McmcSampler.Hmc,
        "gibbs" => McmcSampler.Gibbs,
        _ => throw LoomUsageException.ForOption(nameof(Sampler), $"'{text}' is not a sampler; use rwmh, mala, hmc or gibbs"),
    };
}
