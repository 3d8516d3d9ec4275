using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Tabular;

/// <summary>
/// Everything a Gaussian copula run starts from, as one JSON round-trippable record. Unset (null) properties take
/// <see cref="Defaults"/>. There is no gradient training, so no resume.
/// </summary>
public sealed record CopulaRecipe
{
    /// <summary>A CSV table with a header row, or a table data set's name (diamonds, fair, seattle-weather). Required.</summary>
    public string? Data { get; init; }
    /// <summary>
    /// A metadata JSON file (SDV layout, <see cref="Data.Tables.TableMetadata"/>) overriding the detected column types; by
    /// default <c>NAME.metadata.json</c> beside <c>NAME.csv</c> when there is one.
    /// </summary>
    public string? Metadata { get; init; }
    /// <summary>
    /// auto (chosen by KS among uniform, truncated normal, beta; else empirical) or one of empirical, uniform, truncnorm, beta.
    /// </summary>
    public string? Marginals { get; init; }
    public long? Seed { get; init; }

    public static CopulaRecipe Defaults { get; } = new() { Marginals = "auto", Seed = 0 };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public CopulaRecipe Resolve()
    {
        var resolved = RecipeJson.FromJson<CopulaRecipe>(RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this)),
            "copula recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (!MarginalFit.Choices.Contains(Marginals!.Trim().ToLowerInvariant()))
            throw LoomUsageException.ForOption(nameof(Marginals), $"'{Marginals}' is not one of {string.Join(", ", MarginalFit.Choices)}");
    }
}
