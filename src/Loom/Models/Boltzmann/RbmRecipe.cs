using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Boltzmann;

/// <summary>
/// Everything an RBM run starts from — data, layers, the contrastive-divergence method, SGD with momentum and weight
/// decay (scikit-learn's BernoulliRBM with <c>momentum: 0</c>, <c>weight_decay: 0</c>, <c>method: pcd</c>, <c>k: 1</c>;
/// Hinton's guide with momentum and a small L2 penalty), the Gibbs steps of a sample and the AIS estimate of log Z — as
/// one record that round-trips through JSON (<see cref="RecipeJson"/>). Unset properties take <see cref="Defaults"/>.
/// </summary>
public sealed record RbmRecipe
{
    /// <summary>
    /// fashion-mnist (binarized), a numeric CSV (0/1 for binary units, real values for Gaussian ones) or a toy set. Required.
    /// </summary>
    public string? Data { get; init; }
    /// <summary>Fashion-MNIST: train on the first N images only (0 = all 60,000).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Test images the held-out log-likelihood is estimated on (Fashion-MNIST).</summary>
    public int? EvalN { get; init; }
    /// <summary>auto (binary for images and 0/1 tables, else Gaussian), bernoulli or gaussian.</summary>
    public string? Visible { get; init; }
    public int? Hidden { get; init; }
    /// <summary>cd (chains restart at the batch) or pcd (persistent chains, kept in the run's state).</summary>
    public string? Method { get; init; }
    /// <summary>Gibbs steps of the negative phase (CD-k, PCD-k).</summary>
    public int? K { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public double? Momentum { get; init; }
    /// <summary>L2 penalty λ on the weights (½λ‖W‖² added to the objective).</summary>
    public double? WeightDecay { get; init; }
    /// <summary>Block Gibbs steps of a sample.</summary>
    public int? SampleSteps { get; init; }
    /// <summary>AIS chains and intermediate distributions for log Z (when no layer has ≤ 20 units).</summary>
    public int? AisChains { get; init; }
    public int? AisBetas { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more epochs, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "epochs", "checkpoint_every" };

    public static RbmRecipe Defaults { get; } = new()
    {
        TrainLimit = 0, EvalN = 1000, Visible = "auto", Hidden = 64, Method = "cd", K = 1, Epochs = 5, BatchSize = 64, LearningRate = 0.05,
        Momentum = 0.5, WeightDecay = 1e-4, SampleSteps = 1000, AisChains = 100, AisBetas = 10000, CheckpointEvery = 0, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public RbmRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<RbmRecipe>(json, "rbm recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (TrainLimit is < 0) throw LoomUsageException.ForOption(nameof(TrainLimit), $"must be non-negative, got {TrainLimit}");
        if (EvalN is < 1) throw LoomUsageException.ForOption(nameof(EvalN), $"must be positive, got {EvalN}");
        if (Hidden is < 1) throw LoomUsageException.ForOption(nameof(Hidden), $"must be positive, got {Hidden}");
        if (K is < 1) throw LoomUsageException.ForOption(nameof(K), $"must be at least 1 Gibbs step, got {K}");
        if (Epochs is < 1) throw LoomUsageException.ForOption(nameof(Epochs), $"must be positive, got {Epochs}");
        if (BatchSize is < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be positive, got {BatchSize}");
        if (LearningRate is not { } lr || !(lr > 0) || !double.IsFinite(lr))
            throw LoomUsageException.ForOption(nameof(LearningRate), $"must be a positive number, got {LearningRate}");
        if (Momentum is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(Momentum), $"must be in [0, 1), got {Momentum}");
        if (WeightDecay is < 0) throw LoomUsageException.ForOption(nameof(WeightDecay), $"must be non-negative, got {WeightDecay}");
        if (SampleSteps is < 1) throw LoomUsageException.ForOption(nameof(SampleSteps), $"must be positive, got {SampleSteps}");
        if (CheckpointEvery is < 0)
            throw LoomUsageException.ForOption(nameof(CheckpointEvery), $"must be non-negative, got {CheckpointEvery}");
        ToAisOptions().Validate();
        Persistent();
        VisibleType();
    }

    /// <summary>True for pcd, false for cd (a resolved recipe).</summary>
    public bool Persistent() => Method!.Trim().ToLowerInvariant() switch
    {
        "cd" => false,
        "pcd" => true,
        _ => throw LoomUsageException.ForOption(nameof(Method), $"'{Method}' is not a method; use cd or pcd"),
    };

    /// <summary>The visible type asked for, or null for auto (decided by the data).</summary>
    public RbmVisible? VisibleType() =>
        Visible!.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : RbmVisibleNames.Parse(Visible!);

    /// <summary>The AIS settings of a resolved recipe.</summary>
    public AisOptions ToAisOptions() => new() { Chains = AisChains!.Value, Betas = AisBetas!.Value, Seed = Seed!.Value };
}
