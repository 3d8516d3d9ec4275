using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Markov;

/// <summary>
/// Everything an n-gram fit starts from — the text, the model's options and the held-out share — as one record that
/// round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take <see cref="Defaults"/>. A fit
/// writes the resolved recipe to run.json; counting has no resume.
/// </summary>
public sealed record NGramRecipe
{
    /// <summary>A UTF-8 text file or a text data set (tinyshakespeare, names, kjv). Required.</summary>
    public string? Data { get; init; }
    /// <summary>n: condition on the previous n-1 tokens.</summary>
    public int? Order { get; init; }
    /// <summary>char | word.</summary>
    public string? Level { get; init; }
    /// <summary>kneser-ney | add-k, with the discount D or the k.</summary>
    public string? Smoothing { get; init; }
    public double? K { get; init; }
    public double? Discount { get; init; }
    /// <summary>The last fraction of the text, held out for validation perplexity; in [0, 0.9).</summary>
    public double? ValFraction { get; init; }
    /// <summary>Seeds the sample written with the model.</summary>
    public long? Seed { get; init; }

    public static NGramRecipe Defaults { get; } = new()
    {
        Order = 5, Level = "char", Smoothing = "kneser-ney", K = 1.0, Discount = 0.75, ValFraction = 0.1, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>.</summary>
    public NGramRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<NGramRecipe>(json, "ngram recipe");
        if (string.IsNullOrWhiteSpace(resolved.Data))
            throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        return resolved;
    }

    /// <summary>The model's options (a resolved recipe).</summary>
    public NGramOptions ToOptions() => new()
    {
        Order = Order!.Value, Level = NGramOptions.ParseLevel(Level!), Smoothing = NGramOptions.ParseSmoothing(Smoothing!), K = K!.Value,
        Discount = Discount!.Value,
    };
}
