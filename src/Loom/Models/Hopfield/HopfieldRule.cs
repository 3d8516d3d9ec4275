using Loom.Core;

namespace Loom.Models.Hopfield;

/// <summary>How a classical Hopfield network turns patterns into weights.</summary>
public enum HopfieldRule
{
    /// <summary>W = (1/N) Σ_μ ξ^μ ξ^μᵀ with a zero diagonal: capacity ≈ 0.14 N for random patterns, poor for correlated ones.</summary>
    Hebbian,
    /// <summary>The projection (pseudo-inverse) rule W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ with a zero diagonal: every linearly independent pattern is a
    /// fixed point, correlated or not (Personnaz et al. 1985; Kanter &amp; Sompolinsky 1987).</summary>
    PseudoInverse,
}

/// <summary>Names of <see cref="HopfieldRule"/> as recipes and config.json write them.</summary>
public static class HopfieldRules
{
    public static string Name(HopfieldRule rule) => rule == HopfieldRule.Hebbian ? "hebbian" : "pseudo-inverse";

    public static HopfieldRule Parse(string text, string option = "Rule") => text.Trim().ToLowerInvariant() switch
    {
        "hebbian" or "hebb" => HopfieldRule.Hebbian,
        "pseudo-inverse" or "pseudoinverse" or "projection" => HopfieldRule.PseudoInverse,
        _ => throw LoomUsageException.ForOption(option, $"'{text}' is not a learning rule; use hebbian or pseudo-inverse"),
    };
}
