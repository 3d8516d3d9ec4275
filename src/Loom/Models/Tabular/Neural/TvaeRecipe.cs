namespace Loom.Models.Tabular.Neural;

/// <summary>
/// Everything a TVAE run starts from, as one JSON round-trippable record; unset (null) properties take
/// <see cref="Defaults"/> (SDV's TVAE: 300 epochs, batches of 500, 128-wide networks, loss factor 2). A run resumes
/// (<see cref="MayChangeOnResume"/>).
/// </summary>
public sealed record TvaeRecipe
{
    /// <summary>A CSV table with a header row, or a table data set's name (diamonds, fair, seattle-weather). Required.</summary>
    public string? Data { get; init; }
    /// <summary>
    /// A metadata JSON file (SDV layout) overriding the detected column types; default <c>NAME.metadata.json</c> beside the CSV.
    /// </summary>
    public string? Metadata { get; init; }
    /// <summary>Passes over the rows; each has max(1, rows / batch) steps.</summary>
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    /// <summary>Latent size.</summary>
    public int? Embedding { get; init; }
    /// <summary>Hidden width and hidden layers of the encoder and of the decoder.</summary>
    public int? Hidden { get; init; }
    public int? Layers { get; init; }
    /// <summary>Weight of the reconstruction term against the KL term.</summary>
    public double? LossFactor { get; init; }
    /// <summary>Save a resumable checkpoint every this many steps (0: only at the end and when cancelled).</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What a resumed run may set to a new value (JSON names): more epochs, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "epochs", "checkpoint_every" };

    public static TvaeRecipe Defaults { get; } = new()
    {
        Epochs = 300, BatchSize = 500, LearningRate = 1e-3, Embedding = 128, Hidden = 128, Layers = 2, LossFactor = 2, CheckpointEvery = 0,
        Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public TvaeRecipe Resolve()
    {
        var resolved = NeuralRecipeChecks.Resolve(this, Defaults, TvaeModel.KindName);
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        NeuralRecipeChecks.Data(Data);
        NeuralRecipeChecks.AtLeast(nameof(Epochs), Epochs!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(BatchSize), BatchSize!.Value, 2);
        NeuralRecipeChecks.Positive(nameof(LearningRate), LearningRate!.Value);
        NeuralRecipeChecks.AtLeast(nameof(Embedding), Embedding!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(Hidden), Hidden!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(Layers), Layers!.Value, 1);
        NeuralRecipeChecks.AtLeast(nameof(CheckpointEvery), CheckpointEvery!.Value, 0);
        NeuralRecipeChecks.Positive(nameof(LossFactor), LossFactor!.Value);
    }
}
