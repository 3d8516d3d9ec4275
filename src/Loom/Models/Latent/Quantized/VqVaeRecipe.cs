using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Training.Runs;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// Everything a VQ-VAE training run starts from — data, codebook, autoencoder and prior shapes, and both stages'
/// optimizers — as one record that round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take
/// <see cref="Defaults"/> (nothing depends on the data); <see cref="SmallPreset"/> is the two-minute CPU recipe measured in
/// docs/vqvae.md. A run writes the resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record VqVaeRecipe
{
    /// <summary>fashion-mnist or a folder of square grey PNGs of one size (a multiple of 4). Required.</summary>
    public string? Data { get; init; }
    /// <summary>Fashion-MNIST classes to keep ("0,1" or names), relabelled 0, 1, … in that order; unset = all.</summary>
    public string? Classes { get; init; }
    /// <summary>Train on the first N images only; 0 = all.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>K, the codebook size, and D, the dimension of a code.</summary>
    public int? Codes { get; init; }
    public int? CodeDim { get; init; }
    /// <summary>Channels of the encoder and decoder, their residual blocks and the channels inside a block.</summary>
    public int? Hidden { get; init; }
    public int? ResBlocks { get; init; }
    public int? ResChannels { get; init; }
    /// <summary>Optimizer steps of stage 1 (autoencoder) and stage 2 (prior).</summary>
    public long? Steps { get; init; }
    public long? PriorSteps { get; init; }
    /// <summary>Images (stage 1) or code maps (stage 2) per step.</summary>
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public double? PriorLearningRate { get; init; }
    /// <summary>β, the weight of the commitment loss; γ, the decay of the codebook's moving averages.</summary>
    public double? Commitment { get; init; }
    public double? EmaDecay { get; init; }
    /// <summary>Restart codes whose EMA count falls below this many vectors per batch; 0 = never.</summary>
    public double? DeadCodeThreshold { get; init; }
    /// <summary>Channels and gated masked layers of the PixelCNN prior.</summary>
    public int? PriorChannels { get; init; }
    public int? PriorLayers { get; init; }
    /// <summary>Condition the prior on class labels (fashion-mnist).</summary>
    public bool? ConditionalPrior { get; init; }
    /// <summary>Write a log.jsonl entry every N steps.</summary>
    public long? LogEvery { get; init; }
    /// <summary>Save every N steps of either stage; 0 = at the end of each stage and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps of either stage, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "prior_steps", "checkpoint_every" };

    /// <summary>
    /// Smaller networks and fewer steps for a quick CPU run: the run measured in docs/vqvae.md, "Measured here" (about 2
    /// minutes on the first 4,000 Fashion-MNIST images; that run also set <c>conditional_prior</c>).
    /// </summary>
    public static JsonObject SmallPreset => new()
    {
        ["train_limit"] = 4000, ["codes"] = 32, ["code_dim"] = 8, ["hidden"] = 32, ["res_blocks"] = 1, ["res_channels"] = 16,
        ["prior_channels"] = 32, ["prior_layers"] = 3, ["steps"] = 400, ["prior_steps"] = 300, ["batch_size"] = 32,
    };

    public static VqVaeRecipe Defaults { get; } = new()
    {
        TrainLimit = 0, Codes = 64, CodeDim = 16, Hidden = 64, ResBlocks = 2, ResChannels = 32, Steps = 3000, PriorSteps = 3000,
        BatchSize = 64, LearningRate = 1e-3, PriorLearningRate = 1e-3, Commitment = 0.25, EmaDecay = 0.99, DeadCodeThreshold = 1.0,
        PriorChannels = 64, PriorLayers = 4, ConditionalPrior = false, LogEvery = 10, CheckpointEvery = 500, Seed = 0,
    };

    /// <summary>
    /// This recipe with every unset property taken from <see cref="Defaults"/>; validates what can be checked before the
    /// data are loaded.
    /// </summary>
    public VqVaeRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<VqVaeRecipe>(json, "vqvae recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (TrainLimit is < 0) throw LoomUsageException.ForOption(nameof(TrainLimit), $"must be non-negative, got {TrainLimit}");
        ClassList();
        NetworkConfig().Validate();
        ToTrainingOptions().Validate();
    }

    /// <summary>The Fashion-MNIST classes to keep, in the order given, or null for all.</summary>
    public int[]? ClassList() => Classes is null ? null : FashionMnistClasses.ParseList(Classes);

    /// <summary>The model's config for the loaded <paramref name="data"/> (a resolved recipe).</summary>
    public VqVaeConfig ToConfig(TrainingData data) => NetworkConfig() with
    {
        Channels = (int)data.SampleShape[0],
        ImageSize = (int)data.SampleShape[1],
        DataName = data.Name,
        ClassNames = ConditionalPrior == true ? data.ClassNames : [],
    };

    /// <summary>The optimizer settings of both stages (a resolved recipe).</summary>
    public VqVaeTrainingOptions ToTrainingOptions() => new()
    {
        Steps = Steps!.Value, PriorSteps = PriorSteps!.Value, BatchSize = BatchSize!.Value, LearningRate = LearningRate!.Value,
        PriorLearningRate = PriorLearningRate!.Value, Seed = Seed!.Value, LogEvery = LogEvery!.Value,
        CheckpointEvery = CheckpointEvery!.Value,
    };

    /// <summary>The networks' settings before the data fix the image shape and classes.</summary>
    private VqVaeConfig NetworkConfig() => new()
    {
        NumCodes = Codes!.Value, CodeDim = CodeDim!.Value, HiddenChannels = Hidden!.Value, ResidualBlocks = ResBlocks!.Value,
        ResidualChannels = ResChannels!.Value, Commitment = Commitment!.Value, EmaDecay = EmaDecay!.Value,
        DeadCodeThreshold = DeadCodeThreshold!.Value,
        PriorChannels = PriorChannels!.Value, PriorLayers = PriorLayers!.Value,
    };
}
