using Loom.Core;

namespace Loom.Models.Boltzmann;

/// <summary>Settings of <see cref="AnnealedImportanceSampling"/>: independent chains, intermediate distributions and the seed.</summary>
public sealed record AisOptions
{
    /// <summary>Independent AIS runs; the estimate's standard error falls as 1/√chains.</summary>
    public int Chains { get; init; } = 100;

    /// <summary>Inverse temperatures β from 0 to 1, spaced linearly (Salakhutdinov &amp; Murray used 14,500 over three ranges).</summary>
    public int Betas { get; init; } = 10000;

    public long Seed { get; init; }

    public void Validate()
    {
        if (Chains < 2) throw LoomUsageException.ForOption("AisChains", $"must be at least 2, got {Chains}");
        if (Betas < 2) throw LoomUsageException.ForOption("AisBetas", $"must be at least 2, got {Betas}");
    }
}

/// <summary>
/// An estimate of log Z: the log of the mean importance weight, its standard error (delta method,
/// sd(w) / (√n · mean(w))), and how it was computed (<c>exact</c> or <c>ais</c>).
/// </summary>
public sealed record LogPartition(double LogZ, double StandardError, string Method);
