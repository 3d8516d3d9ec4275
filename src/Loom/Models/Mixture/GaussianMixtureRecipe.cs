using Loom.Core;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.Mixture;

/// <summary>
/// Everything a Gaussian mixture run starts from — data, mixture, the EM fit and, for <c>method: sgd</c>, the minibatch
/// optimizer — as one record that round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take
/// <see cref="Defaults"/> (scikit-learn's EM settings with 8 components). A run writes the resolved recipe to run.json;
/// an SGD run resumed from its folder keeps it.
/// </summary>
public sealed record GaussianMixtureRecipe
{
    /// <summary>A numeric CSV (one sample per row) or a toy 2-D set. Required.</summary>
    public string? Data { get; init; }
    /// <summary>Points generated for a toy set.</summary>
    public int? Points { get; init; }
    /// <summary>Fraction held out (seeded) for the held-out log-likelihood, in [0, 0.9).</summary>
    public double? Holdout { get; init; }
    public int? Components { get; init; }
    /// <summary>full | tied | diag | spherical (sgd: full).</summary>
    public string? Covariance { get; init; }
    /// <summary>em (expectation-maximisation) | sgd (minibatch AdamW on −log-likelihood through the trainer).</summary>
    public string? Method { get; init; }
    /// <summary>EM: iterations at most, the change of the mean log-likelihood that stops it, restarts and the init.</summary>
    public int? MaxIter { get; init; }
    public double? Tol { get; init; }
    public int? NInit { get; init; }
    /// <summary>kmeans | k-means++ | random | random-from-data.</summary>
    public string? Init { get; init; }
    /// <summary>Added to covariance diagonals.</summary>
    public double? RegCovar { get; init; }
    /// <summary>SGD: steps, points per step, peak learning rate, its schedule (constant, cosine or linear to lr/10) and warmup.</summary>
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public string? LrSchedule { get; init; }
    public long? Warmup { get; init; }
    /// <summary>SGD: EMA decay of the weights the saved model gets; 0 = no EMA.</summary>
    public double? Ema { get; init; }
    /// <summary>SGD: save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>
    /// What may differ when an SGD run is resumed: more steps, another checkpoint interval, and the data named again
    /// (e.g. a moved file) — the run refuses data whose hash differs from the data it started on.
    /// </summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every", "data", "points" };

    public static GaussianMixtureRecipe Defaults { get; } = new()
    {
        Points = 4000, Holdout = 0.1, Components = 8, Covariance = "full", Method = "em", MaxIter = 100, Tol = 1e-3, NInit = 1,
        Init = "kmeans", RegCovar = 1e-6, Steps = 2000, BatchSize = 256, LearningRate = 1e-2, LrSchedule = "cosine", Warmup = 100, Ema = 0,
        CheckpointEvery = 0, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public GaussianMixtureRecipe Resolve()
    {
        var resolved = RecipeJson.FromJson<GaussianMixtureRecipe>(RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this)),
            "gaussian mixture recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Holdout is < 0 or >= 0.9) throw LoomUsageException.ForOption(nameof(Holdout), $"must be in [0, 0.9), got {Holdout}");
        if (Ema is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(Ema), $"must be in [0, 1), got {Ema}");
        UsesSgd();
        ToOptions();
        ToSchedule();
    }

    /// <summary>True for <c>method: sgd</c>, false for <c>em</c> (a resolved recipe).</summary>
    public bool UsesSgd() => Method!.Trim().ToLowerInvariant() switch
    {
        "em" => false,
        "sgd" => true,
        _ => throw LoomUsageException.ForOption(nameof(Method), $"'{Method}' is not a method; use em or sgd"),
    };

    /// <summary>The EM options of a resolved recipe (SGD starts from one EM step with them).</summary>
    public GaussianMixtureOptions ToOptions() => new()
    {
        Components = Components!.Value, CovarianceType = CovarianceTypes.Parse(Covariance!), MaxIter = MaxIter!.Value, Tol = Tol!.Value,
        RegCovar = RegCovar!.Value, NInit = NInit!.Value, Init = ParseInit(Init!), Seed = Seed!.Value,
    };

    /// <summary>The learning-rate schedule of a resolved recipe.</summary>
    public ScheduleKind ToSchedule() => LearningRateSchedule.ParseKind(LrSchedule!);

    private static MixtureInit ParseInit(string text) => text.Trim().ToLowerInvariant() switch
    {
        "kmeans" or "k-means" => MixtureInit.KMeans,
        "k-means++" or "kmeans++" => MixtureInit.KMeansPlusPlus,
        "random" => MixtureInit.Random,
        "random-from-data" or "random_from_data" => MixtureInit.RandomFromData,
        _ => throw LoomUsageException.ForOption("Init", $"'{text}' is not an init; use kmeans, k-means++, random or random-from-data"),
    };
}
