using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Hmm;

/// <summary>
/// Everything a hidden Markov model fit starts from — the sequence file and the Baum-Welch settings — as one record that
/// round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take <see cref="Defaults"/>
/// (<see cref="HmmOptions"/>' defaults). A fit writes the resolved recipe to run.json; Baum-Welch has no resume.
/// </summary>
public sealed record HmmRecipe
{
    /// <summary>
    /// Categorical: one sequence per line of integer symbols; Gaussian: CSV rows, a blank line between sequences. Required.
    /// </summary>
    public string? Data { get; init; }
    public int? States { get; init; }
    /// <summary>categorical | gaussian-diag | gaussian-full.</summary>
    public string? Emission { get; init; }
    /// <summary>Categorical alphabet size; 0 = largest symbol + 1.</summary>
    public int? Symbols { get; init; }
    public int? MaxIter { get; init; }
    /// <summary>Stop when the log-likelihood gain of an iteration is smaller.</summary>
    public double? Tol { get; init; }
    /// <summary>Floor added to Gaussian covariances.</summary>
    public double? MinCovar { get; init; }
    /// <summary>auto | kmeans | random.</summary>
    public string? Init { get; init; }
    public long? Seed { get; init; }

    public static HmmRecipe Defaults { get; } = FromOptions(new HmmOptions());

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>.</summary>
    public HmmRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<HmmRecipe>(json, "hmm recipe");
        if (string.IsNullOrWhiteSpace(resolved.Data))
            throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        return resolved;
    }

    /// <summary>The fit's options (a resolved recipe); validated.</summary>
    public HmmOptions ToOptions()
    {
        var options = new HmmOptions
        {
            States = States!.Value, Emission = HmmOptions.ParseEmission(Emission!), Symbols = Symbols!.Value, MaxIter = MaxIter!.Value,
            Tol = Tol!.Value, MinCovar = MinCovar!.Value, Init = HmmOptions.ParseInit(Init!), Seed = Seed!.Value,
        };
        options.Validate();
        return options;
    }

    private static HmmRecipe FromOptions(HmmOptions o) => new()
    {
        States = o.States, Emission = HmmOptions.EmissionName(o.Emission), Symbols = o.Symbols, MaxIter = o.MaxIter, Tol = o.Tol,
        MinCovar = o.MinCovar, Init = o.Init.ToString().ToLowerInvariant(), Seed = o.Seed,
    };
}
