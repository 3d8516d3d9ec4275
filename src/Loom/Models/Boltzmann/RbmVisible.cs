using Loom.Core;

namespace Loom.Models.Boltzmann;

/// <summary>What an RBM's visible units are: binary (Bernoulli) or real with unit variance on standardized data (Gaussian).</summary>
public enum RbmVisible
{
    /// <summary>Binary visible units, p(vᵢ = 1 | h) = σ(bᵢ + Wᵢh).</summary>
    Bernoulli,
    /// <summary>Real visible units, vᵢ | h ~ N(bᵢ + Wᵢh, 1), on data standardized to zero mean and unit variance.</summary>
    Gaussian,
}

/// <summary>Names of <see cref="RbmVisible"/> as recipes and config.json write them.</summary>
public static class RbmVisibleNames
{
    /// <summary>bernoulli or gaussian.</summary>
    public static string Name(RbmVisible visible) => visible == RbmVisible.Bernoulli ? "bernoulli" : "gaussian";

    /// <summary>Parses bernoulli | gaussian; errors name <paramref name="option"/>.</summary>
    public static RbmVisible Parse(string text, string option = "Visible") => text.Trim().ToLowerInvariant() switch
    {
        "bernoulli" or "binary" => RbmVisible.Bernoulli,
        "gaussian" => RbmVisible.Gaussian,
        _ => throw LoomUsageException.ForOption(option, $"'{text}' is not a visible unit type; use bernoulli or gaussian"),
    };
}
