using Loom.Models.Tabular.Neural;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>
/// Everything a TabDDPM run starts from, as one JSON round-trippable record; unset (null) properties take <see cref="Defaults"/>
/// (the paper's MLP denoiser with a 128-wide time embedding, 1000 cosine-schedule timesteps, AdamW at 2e-3 with weight decay
/// 1e-4, sized down for a CPU: 3 hidden layers of 256 and 5000 steps of 1024 rows). A run resumes from its trainer state;
/// <c>steps</c> and <c>checkpoint_every</c> may change on resume.
/// </summary>
public sealed record TabDdpmRecipe
{
    /// <summary>A CSV table with a header row, or a table data set's name (diamonds, fair, seattle-weather). Required.</summary>
    public string? Data { get; init; }
    /// <summary>
    /// A metadata JSON file (SDV layout) overriding the detected column types; default <c>NAME.metadata.json</c> beside the CSV.
    /// </summary>
    public string? Metadata { get; init; }
    /// <summary>Optimizer steps (one batch each).</summary>
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public double? WeightDecay { get; init; }
    /// <summary>Diffusion timesteps T of both processes (training and sampling).</summary>
    public int? Timesteps { get; init; }
    /// <summary>Width of the row projection and the timestep embedding.</summary>
    public int? Embedding { get; init; }
    /// <summary>Hidden width and hidden layers of the denoiser MLP.</summary>
    public int? Hidden { get; init; }
    public int? Layers { get; init; }
    /// <summary>Save a resumable checkpoint every this many steps (0: only at the end).</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What a resumed run may set to a new value (JSON names).</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every" };

    public static TabDdpmRecipe Defaults { get; } = new()
    {
        Steps = 5000, BatchSize = 1024, LearningRate = 2e-3, WeightDecay = 1e-4, Timesteps = 1000, Embedding = 128, Hidden = 256,
        Layers = 3, CheckpointEvery = 0, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public TabDdpmRecipe Resolve()
    {
        var resolved = NeuralRecipeChecks.Resolve(this, Defaults, TabDdpmModel.KindName);
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        NeuralRecipeChecks.Data(Data);
        NeuralRecipeChecks.AtLeast(nameof(Steps), Steps!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(BatchSize), BatchSize!.Value, 1);
        NeuralRecipeChecks.Positive(nameof(LearningRate), LearningRate!.Value);
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay!.Value))
            throw Core.LoomUsageException.ForOption(nameof(WeightDecay), $"must be zero or positive, got {WeightDecay}");
        NeuralRecipeChecks.AtLeast(nameof(Timesteps), Timesteps!.Value, 2);
        NeuralRecipeChecks.AtLeast(nameof(Embedding), Embedding!.Value, 2);
        if (Embedding!.Value % 2 != 0)
            throw Core.LoomUsageException.ForOption(nameof(Embedding), $"must be even (cos and sin halves), got {Embedding}");
        NeuralRecipeChecks.AtLeast(nameof(Hidden), Hidden!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(Layers), Layers!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(CheckpointEvery), CheckpointEvery!.Value, 0);
    }
}
