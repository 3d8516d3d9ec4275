using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Training.Runs;

namespace Loom.Models.Adversarial;

/// <summary>
/// Everything a GAN training run starts from — the preset, data, losses, both networks, both optimizers and the
/// monitoring — as one record that round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take,
/// in order, the named <see cref="Preset"/> (<see cref="Presets"/>: dcgan, wgan-gp, cgan), the defaults for the data
/// (<see cref="ImageDefaults"/> or <see cref="VectorDefaults"/>), then <see cref="Defaults"/>; an unset gradient penalty
/// is 10 for images and 0.1 for vectors with the Wasserstein loss, else 0. A run writes the resolved recipe to run.json
/// and a resumed run keeps it (docs/gans.md).
/// </summary>
public sealed record GanRecipe
{
    /// <summary>dcgan, wgan-gp or cgan (<see cref="Presets"/>). Required.</summary>
    public string? Preset { get; init; }
    /// <summary>fashion-mnist, a toy 2-D set or a numeric CSV (one vector per row). Required.</summary>
    public string? Data { get; init; }
    /// <summary>Fashion-MNIST classes to train on, indices or names, e.g. "0,5,7" (null: all).</summary>
    public string? Classes { get; init; }
    /// <summary>Points drawn from a toy data set.</summary>
    public int? Points { get; init; }
    /// <summary>Train on class labels (a conditional GAN; only fashion-mnist has labels).</summary>
    public bool? Conditional { get; init; }
    /// <summary>non-saturating, wgan-gp or hinge (<see cref="GanLosses"/>).</summary>
    public string? Loss { get; init; }
    /// <summary>Spectral normalization of the discriminator.</summary>
    public bool? SpectralNorm { get; init; }
    /// <summary>BatchNorm in the convolutional discriminator (never with a gradient penalty).</summary>
    public bool? DiscriminatorBatchNorm { get; init; }
    /// <summary>Discriminator steps per generator step.</summary>
    public int? NCritic { get; init; }
    public double? GeneratorLearningRate { get; init; }
    public double? DiscriminatorLearningRate { get; init; }
    /// <summary>Adam β₁ and β₂ of both optimizers.</summary>
    public double? Beta1 { get; init; }
    public double? Beta2 { get; init; }
    /// <summary>Gradient penalty weight λ (null: by loss and data, see the summary).</summary>
    public double? GradientPenalty { get; init; }
    /// <summary>λ of the auxiliary classifier's cross-entropy (AC-GAN; 0 = no classifier head).</summary>
    public double? AuxClassifierWeight { get; init; }
    /// <summary>Width of z.</summary>
    public int? LatentDim { get; init; }
    /// <summary>DCGAN base channels c (generator 4c→2c→1, discriminator c→2c→4c).</summary>
    public int? BaseChannels { get; init; }
    /// <summary>Conditional image generator: class-conditional BatchNorm.</summary>
    public bool? ClassNorm { get; init; }
    /// <summary>MLP hidden width and layers (vector data).</summary>
    public int? Width { get; init; }
    public int? Layers { get; init; }
    /// <summary>Discriminator steps (the generator takes one every n_critic).</summary>
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>Clip each network's gradient norm (0 = off).</summary>
    public double? GradClip { get; init; }
    /// <summary>Decay of the generator's exponential moving average, which is saved and sampled (0 = none).</summary>
    public double? Ema { get; init; }
    /// <summary>Write progress/step-N.png from fixed noise every N steps (0 = only at the end).</summary>
    public long? SampleEvery { get; init; }
    public long? LogEvery { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>
    /// What may differ when a run is resumed: more steps, and how often it saves, logs and draws progress pictures
    /// (none of these touches the weights: the pictures and detectors use their own random generator).
    /// </summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } =
        new HashSet<string> { "steps", "checkpoint_every", "sample_every", "log_every" };

    /// <summary>The presets by name: docs/gans.md, "Presets" (new objects on every call).</summary>
    public static IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["dcgan"] = new()
        {
            ["loss"] = "non-saturating", ["spectral_norm"] = false, ["discriminator_batch_norm"] = true, ["conditional"] = false,
            ["n_critic"] = 1, ["generator_learning_rate"] = 2e-4, ["discriminator_learning_rate"] = 2e-4, ["beta1"] = 0.5,
            ["beta2"] = 0.999, ["aux_classifier_weight"] = 0.0,
        },
        ["wgan-gp"] = new()
        {
            ["loss"] = "wgan-gp", ["spectral_norm"] = false, ["discriminator_batch_norm"] = false, ["conditional"] = false,
            ["n_critic"] = 5, ["generator_learning_rate"] = 1e-4, ["discriminator_learning_rate"] = 1e-4, ["beta1"] = 0.0,
            ["beta2"] = 0.9, ["aux_classifier_weight"] = 0.0,
        },
        ["cgan"] = new()
        {
            ["loss"] = "hinge", ["spectral_norm"] = true, ["discriminator_batch_norm"] = false, ["conditional"] = true,
            ["n_critic"] = 1, ["generator_learning_rate"] = 1e-4, ["discriminator_learning_rate"] = 4e-4, ["beta1"] = 0.0,
            ["beta2"] = 0.999, ["aux_classifier_weight"] = 1.0,
        },
    };

    /// <summary>One line per preset, saying what it is.</summary>
    public static IReadOnlyDictionary<string, string> PresetDescriptions { get; } = new Dictionary<string, string>
    {
        ["dcgan"] = "DCGAN: non-saturating loss, BatchNorm in both convolutional networks, Adam 2e-4 betas (0.5, 0.999)",
        ["wgan-gp"] = "WGAN-GP: Wasserstein critic without BatchNorm, gradient penalty (λ 10 for images, 0.1 for vectors), "
            + "5 critic steps per generator step, Adam 1e-4 betas (0, 0.9)",
        ["cgan"] = "Class-conditional GAN: hinge loss, spectral-norm projection discriminator with an auxiliary classifier (λ 1), "
            + "two time-scale Adam (G 1e-4, D 4e-4) betas (0, 0.999)",
    };

    /// <summary>Defaults for image data (the convolutional networks).</summary>
    public static JsonObject ImageDefaults => new() { ["batch_size"] = 64, ["latent_dim"] = 64 };

    /// <summary>Defaults for vectors (the MLPs).</summary>
    public static JsonObject VectorDefaults => new() { ["batch_size"] = 256, ["latent_dim"] = 8 };

    /// <summary>Defaults that depend on neither the preset nor the data.</summary>
    public static GanRecipe Defaults { get; } = new()
    {
        Points = 20000, BaseChannels = 32, ClassNorm = false, Width = 128, Layers = 3, Steps = 5000, GradClip = 0, Ema = 0,
        SampleEvery = 500, LogEvery = 10, CheckpointEvery = 500, Seed = 0,
    };

    /// <summary>
    /// This recipe with every unset property filled (the preset, then the defaults for <paramref name="images"/> data,
    /// then <see cref="Defaults"/>, then the gradient penalty for the loss) and the loss named canonically. Validates the result.
    /// </summary>
    public GanRecipe Resolve(bool images)
    {
        if (string.IsNullOrWhiteSpace(Preset))
            throw LoomUsageException.ForOption(nameof(Preset), $"the recipe names no preset ({string.Join(", ", Presets.Keys)})");
        if (!Presets.TryGetValue(Preset, out var preset))
            throw LoomUsageException.ForOption(nameof(Preset), $"'{Preset}' is not a GAN preset ({string.Join(", ", Presets.Keys)})");
        var json = RecipeJson.Overlay(RecipeJson.Overlay(RecipeJson.Overlay(RecipeJson.ToJson(Defaults), preset),
            images ? ImageDefaults : VectorDefaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<GanRecipe>(json, "gan recipe");
        var loss = GanLosses.Parse(resolved.Loss!);
        resolved = resolved with
        {
            Loss = GanLosses.Name(loss),
            GradientPenalty = resolved.GradientPenalty ?? DefaultGradientPenalty(loss, images),
        };
        resolved.Validate();
        return resolved;
    }

    /// <summary>
    /// λ = 10 (Gulrajani et al.) for images; 0.1 for vectors, as the WGAN-GP authors' own toy script uses: on 8 gaussians
    /// λ = 10 left the critic behind the generator (2 of 8 modes after 6,000 steps, docs/gans.md) and λ = 0.1 covered all 8.
    /// </summary>
    public static double DefaultGradientPenalty(GanLossKind loss, bool images) =>
        loss != GanLossKind.Wasserstein ? 0 : images ? 10 : 0.1;

    /// <summary>Checks a resolved recipe (options first, then the data's own settings); errors name the option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        ToTrainingOptions().Validate();
        if (SampleEvery is < 0) throw LoomUsageException.ForOption(nameof(SampleEvery), $"must be non-negative, got {SampleEvery}");
        if (Points is < 1) throw LoomUsageException.ForOption(nameof(Points), $"must be positive, got {Points}");
        ClassList();
    }

    /// <summary>The classes to train on, parsed (null: all).</summary>
    public IReadOnlyList<int>? ClassList() => Classes is { } text ? FashionMnistClasses.ParseList(text) : null;

    /// <summary>The optimizers' and objectives' settings (a resolved recipe).</summary>
    public GanTrainingOptions ToTrainingOptions() => new()
    {
        Steps = Steps!.Value, BatchSize = BatchSize!.Value, GeneratorLearningRate = GeneratorLearningRate!.Value,
        DiscriminatorLearningRate = DiscriminatorLearningRate!.Value, Beta1 = Beta1!.Value, Beta2 = Beta2!.Value,
        CriticSteps = NCritic!.Value, GradientPenalty = GradientPenalty!.Value, GradClip = GradClip!.Value,
        ClassifierWeight = AuxClassifierWeight!.Value, GeneratorEma = Ema is { } decay && decay != 0 ? decay : null,
        Seed = Seed!.Value, LogEvery = LogEvery!.Value, CheckpointEvery = CheckpointEvery!.Value,
    };

    /// <summary>The model's config for <paramref name="data"/> (a resolved recipe).</summary>
    public GanConfig ToConfig(GanData data)
    {
        bool images = GanData.IsImageSet(Data!);
        return new GanConfig
        {
            Loss = GanLosses.Parse(Loss!),
            Network = images ? "dcgan" : "mlp",
            SpectralNorm = SpectralNorm!.Value,
            // The gradient penalty is per example; batch statistics would mix the examples, so a penalized critic has no BatchNorm.
            DiscriminatorBatchNorm = DiscriminatorBatchNorm!.Value && GradientPenalty == 0,
            LatentDim = LatentDim!.Value,
            Width = Width!.Value,
            Layers = Layers!.Value,
            BaseChannels = BaseChannels!.Value,
            ClassNorm = ClassNorm!.Value,
            AuxClassifier = AuxClassifierWeight > 0,
            SampleShape = data.SampleShape,
            Images = images,
            ClassNames = data.ClassNames,
            DataName = data.Name,
            VectorRange = data.Range,
        };
    }
}
