namespace Loom.Models.Tabular.Neural;

/// <summary>
/// Everything a CTGAN run starts from, as one JSON round-trippable record; unset (null) properties take
/// <see cref="Defaults"/> (SDV's CTGAN: 300 epochs, batches of 500, pac 10, Adam 2e-4 with β = (0.5, 0.9), gradient
/// penalty 10, two residual layers of 256). A run resumes (<see cref="MayChangeOnResume"/>).
/// </summary>
public sealed record CtganRecipe
{
    /// <summary>A CSV table with a header row, or a table data set's name (diamonds, fair, seattle-weather). Required.</summary>
    public string? Data { get; init; }
    /// <summary>
    /// A metadata JSON file (SDV layout) overriding the detected column types; default <c>NAME.metadata.json</c> beside the CSV.
    /// </summary>
    public string? Metadata { get; init; }
    /// <summary>Passes over the rows; each has max(1, rows / batch) steps of one critic and one generator update.</summary>
    public int? Epochs { get; init; }
    /// <summary>Rows per batch: a multiple of <see cref="Pac"/>.</summary>
    public int? BatchSize { get; init; }
    /// <summary>Rows the critic scores together (PacGAN).</summary>
    public int? Pac { get; init; }
    public double? GeneratorLearningRate { get; init; }
    public double? DiscriminatorLearningRate { get; init; }
    /// <summary>λ of the WGAN-GP gradient penalty.</summary>
    public double? GradientPenalty { get; init; }
    /// <summary>Noise size.</summary>
    public int? Embedding { get; init; }
    /// <summary>Width and count of the generator's residual layers and of the critic's hidden layers.</summary>
    public int? Hidden { get; init; }
    public int? Layers { get; init; }
    /// <summary>Save a resumable checkpoint every this many steps (0: only at the end and when cancelled).</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What a resumed run may set to a new value (JSON names): more epochs, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "epochs", "checkpoint_every" };

    public static CtganRecipe Defaults { get; } = new()
    {
        Epochs = 300, BatchSize = 500, Pac = 10, GeneratorLearningRate = 2e-4, DiscriminatorLearningRate = 2e-4, GradientPenalty = 10,
        Embedding = 128, Hidden = 256, Layers = 2, CheckpointEvery = 0, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public CtganRecipe Resolve()
    {
        var resolved = NeuralRecipeChecks.Resolve(this, Defaults, CtganModel.KindName);
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        NeuralRecipeChecks.Data(Data);
        NeuralRecipeChecks.AtLeast(nameof(Epochs), Epochs!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(Pac), Pac!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(BatchSize), BatchSize!.Value, 2 * Pac!.Value);
        if (BatchSize % Pac != 0)
            throw Core.LoomUsageException.ForOption(nameof(BatchSize), $"must be a multiple of Pac ({Pac}), got {BatchSize}");
        NeuralRecipeChecks.Positive(nameof(GeneratorLearningRate), GeneratorLearningRate!.Value);
        NeuralRecipeChecks.Positive(nameof(DiscriminatorLearningRate), DiscriminatorLearningRate!.Value);
        if (!(GradientPenalty >= 0) || !double.IsFinite(GradientPenalty!.Value))
            throw Core.LoomUsageException.ForOption(nameof(GradientPenalty), $"must be a non-negative number, got {GradientPenalty}");
        NeuralRecipeChecks.AtLeast(nameof(Embedding), Embedding!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(Hidden), Hidden!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(Layers), Layers!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(CheckpointEvery), CheckpointEvery!.Value, 0);
    }
}
