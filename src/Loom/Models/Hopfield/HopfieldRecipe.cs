using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Hopfield;

/// <summary>
/// What a Hopfield run stores: the first <see cref="Patterns"/> rows of the data as ±1 patterns (images thresholded at
/// 0.5, vectors at <see cref="Threshold"/>), the classical rule, the modern network's β, which network samples retrieve
/// with, and the noise of the retrieval check. Unset properties take <see cref="Defaults"/>.
/// </summary>
public sealed record HopfieldRecipe
{
    /// <summary>fashion-mnist, a numeric CSV (one pattern per row) or <c>random:N</c> (random ±1 patterns of N units). Required.</summary>
    public string? Data { get; init; }
    /// <summary>Patterns stored (the first rows).</summary>
    public int? Patterns { get; init; }
    /// <summary>hebbian or pseudo-inverse.</summary>
    public string? Rule { get; init; }
    /// <summary>β of the modern network.</summary>
    public double? Beta { get; init; }
    /// <summary>Samples retrieve with the modern network (one update) rather than the classical one.</summary>
    public bool? Modern { get; init; }
    /// <summary>Fraction of units flipped in the retrieval check and in a sample's query.</summary>
    public double? Noise { get; init; }
    /// <summary>Vector data: values above it are +1.</summary>
    public double? Threshold { get; init; }
    public long? Seed { get; init; }

    public static HopfieldRecipe Defaults { get; } = new()
    {
        Patterns = 10, Rule = "pseudo-inverse", Beta = 1.0, Modern = false, Noise = 0.1, Threshold = 0.5, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public HopfieldRecipe Resolve()
    {
        var resolved = RecipeJson.FromJson<HopfieldRecipe>(RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this)),
            "hopfield recipe");
        resolved.Validate();
        return resolved;
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Patterns is < 1) throw LoomUsageException.ForOption(nameof(Patterns), $"must be positive, got {Patterns}");
        if (Beta is not { } beta || !(beta > 0) || !double.IsFinite(beta))
            throw LoomUsageException.ForOption(nameof(Beta), $"must be a positive number, got {Beta}");
        if (Noise is < 0 or > 1) throw LoomUsageException.ForOption(nameof(Noise), $"must be in [0, 1], got {Noise}");
        HopfieldRules.Parse(Rule!);
    }
}
