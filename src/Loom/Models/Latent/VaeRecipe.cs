using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Loom.Core;
using Loom.Data;
using Loom.Training.Runs;

namespace Loom.Models.Latent;

/// <summary>
/// Everything a VAE (or, with <see cref="Conditional"/>, a CVAE) training run starts from — data, networks, bound,
/// optimizer, the sampling prior fitted afterwards and the held-out evaluation — as one record that round-trips through
/// JSON (<see cref="RecipeJson"/>). Unset (null) properties take the preset for the data (<see cref="ImagePreset"/> for
/// Fashion-MNIST, <see cref="VectorPreset"/> for a toy set or a CSV), then <see cref="Defaults"/>. A run writes the
/// resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record VaeRecipe
{
    /// <summary>fashion-mnist, a toy 2-D set or a numeric CSV (one vector per row). Required.</summary>
    public string? Data { get; init; }
    /// <summary>Condition encoder and decoder on the class (a CVAE; data with labels).</summary>
    public bool? Conditional { get; init; }
    /// <summary>mlp or conv (28×28 images).</summary>
    public string? Network { get; init; }
    /// <summary>bernoulli (binarized images) or gaussian.</summary>
    public string? Likelihood { get; init; }
    public int? LatentDim { get; init; }
    /// <summary>MLP hidden width and hidden layers.</summary>
    public int? Hidden { get; init; }
    public int? Layers { get; init; }
    /// <summary>Conv network: channels at 14×14 and residual blocks at 7×7 (and 14×14 in the decoder).</summary>
    public int? BaseChannels { get; init; }
    public int? ResBlocks { get; init; }
    /// <summary>KL weight (β-VAE); 1 = ELBO.</summary>
    public double? Beta { get; init; }
    /// <summary>Importance samples of the training bound: 1 = ELBO, K &gt; 1 = IWAE.</summary>
    public int? Iwae { get; init; }
    /// <summary>Ramp β from 0 over this many steps.</summary>
    public long? KlWarmup { get; init; }
    /// <summary>λ of the VAE-GAN discriminator's loss on the reconstructions; 0 = off.</summary>
    public double? Adversarial { get; init; }
    public double? AdversaryLearningRate { get; init; }
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public long? Warmup { get; init; }
    /// <summary>Fashion-MNIST classes to train on ("0,5,7" or names); unset = all.</summary>
    public string? Classes { get; init; }
    /// <summary>Train on every Fashion-MNIST class but this one (anomaly detection); unset = none left out.</summary>
    public int? ExcludeClass { get; init; }
    /// <summary>The prior samples come from: normal (N(0, I)) or gmm (a mixture fitted after training).</summary>
    public string? LatentPrior { get; init; }
    public int? PriorComponents { get; init; }
    /// <summary>Importance samples of the held-out NLL (0 = ELBO only) and held-out examples to evaluate.</summary>
    public int? EvalK { get; init; }
    public int? EvalN { get; init; }
    /// <summary>Points drawn from a toy data set.</summary>
    public int? Points { get; init; }
    /// <summary>Training images at most (the first of the chosen fashion-mnist classes); 0 = all.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }
    /// <summary>DP-SGD with the noise found for this target ε over the run (see <see cref="Privacy.DpOptions"/>).</summary>
    public double? DpEpsilon { get; init; }
    /// <summary>DP-SGD with this noise multiplier σ.</summary>
    public double? DpNoise { get; init; }
    /// <summary>δ of DP-SGD's (ε, δ) (default 1e-5).</summary>
    public double? DpDelta { get; init; }
    /// <summary>DP-SGD's per-example clipping norm C (default 1).</summary>
    public double? DpClip { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every" };

    /// <summary>Images (Fashion-MNIST): binarized pixels, a wide MLP.</summary>
    public static JsonObject ImagePreset => new() { ["likelihood"] = "bernoulli", ["hidden"] = 400 };

    /// <summary>Vectors (a toy set or a CSV): a Gaussian likelihood, a narrow MLP.</summary>
    public static JsonObject VectorPreset => new() { ["likelihood"] = "gaussian", ["hidden"] = 128 };

    /// <summary>Defaults that do not depend on the data.</summary>
    public static VaeRecipe Defaults { get; } = new()
    {
        Conditional = false, Network = "mlp", LatentDim = 16, Layers = 2, BaseChannels = 32, ResBlocks = 0, Beta = 1, Iwae = 1,
        KlWarmup = 0, Adversarial = 0, AdversaryLearningRate = 4e-4, Steps = 5000, BatchSize = 128, LearningRate = 1e-3, Warmup = 100,
        LatentPrior = "normal", PriorComponents = 10, EvalK = 100, EvalN = 1000, Points = 20000, TrainLimit = 0,
        CheckpointEvery = 1000, Seed = 0,
    };

    /// <summary>The model the run's messages name: cvae or vae.</summary>
    [JsonIgnore]
    public string Name => Conditional == true ? "cvae" : "vae";

    /// <summary>True when the recipe's data are images (Fashion-MNIST, the one image source a VAE trains on).</summary>
    [JsonIgnore]
    public bool ImageData => Data is { } data && TrainingData.IsFashionMnist(data);

    /// <summary>
    /// This recipe with every unset property filled: the preset for its data first, then <see cref="Defaults"/>.
    /// Validates what can be checked before the data are loaded.
    /// </summary>
    public VaeRecipe Resolve()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        var preset = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), ImageData ? ImagePreset : VectorPreset);
        var json = RecipeJson.Overlay(preset, RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<VaeRecipe>(json, "vae recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Points is < 1) throw LoomUsageException.ForOption(nameof(Points), $"must be positive, got {Points}");
        if (TrainLimit is < 0) throw LoomUsageException.ForOption(nameof(TrainLimit), $"must be >= 0, got {TrainLimit}");
        if (EvalN is < 1) throw LoomUsageException.ForOption(nameof(EvalN), $"must be positive, got {EvalN}");
        if (EvalK is < 0) throw LoomUsageException.ForOption(nameof(EvalK), $"must be non-negative, got {EvalK}");
        if (Iwae > 1 && Beta != 1) throw LoomUsageException.ForOption(nameof(Iwae),
            "the IWAE bound has no KL term to weight; leave Beta at 1");
        if (Adversarial > 0 && Iwae > 1) throw LoomUsageException.ForOption(nameof(Adversarial), "works with the ELBO; leave Iwae at 1");
        if (Iwae > 1 && (DpEpsilon ?? DpNoise) is not null) throw LoomUsageException.ForOption(nameof(Iwae),
            "DP-SGD trains on the ELBO (one decoder row per example); leave Iwae at 1");
        VaeConfig.ParseLikelihood(Likelihood!);
        ToLatentPriorOptions();
        TrainClasses();
        ToTrainingOptions().Validate();
    }

    /// <summary>
    /// The Fashion-MNIST classes to train on: <see cref="Classes"/>, or all but <see cref="ExcludeClass"/>, or all (empty).
    /// </summary>
    public int[] TrainClasses()
    {
        if (Classes is not null && ExcludeClass is not null)
            throw LoomUsageException.ForOption(nameof(ExcludeClass), "give Classes or ExcludeClass, not both");
        if (ExcludeClass is { } held)
        {
            if (held < 0 || held >= FashionMnist.ClassNames.Count)
                throw LoomUsageException.ForOption(nameof(ExcludeClass), $"must be in 0..{FashionMnist.ClassNames.Count - 1}, got {held}");
            return Enumerable.Range(0, FashionMnist.ClassNames.Count).Where(c => c != held).ToArray();
        }
        return Classes is null ? [] : [.. FashionMnistClasses.ParseList(Classes).Order()];
    }

    /// <summary>The model's config for the loaded <paramref name="data"/> (a resolved recipe).</summary>
    public VaeConfig ToConfig(TrainingData data) => new()
    {
        Network = Network!.Trim().ToLowerInvariant(),
        Likelihood = VaeConfig.ParseLikelihood(Likelihood!),
        LatentDim = LatentDim!.Value,
        Hidden = Hidden!.Value,
        Layers = Layers!.Value,
        BaseChannels = BaseChannels!.Value,
        ResBlocks = ResBlocks!.Value,
        Beta = Beta!.Value,
        TrainSamples = Iwae!.Value,
        SampleShape = data.SampleShape,
        Images = data.Images,
        ClassNames = Conditional == true ? data.ClassNames : [],
        DataName = data.Name,
        TrainClasses = TrainClasses(),
    };

    /// <summary>The optimizer and objective settings (a resolved recipe).</summary>
    public VaeTrainingOptions ToTrainingOptions() => new()
    {
        Steps = Steps!.Value, BatchSize = BatchSize!.Value, LearningRate = LearningRate!.Value, Warmup = Warmup!.Value,
        KlWarmup = KlWarmup!.Value, Adversarial = Adversarial!.Value, AdversaryLearningRate = AdversaryLearningRate!.Value,
        Seed = Seed!.Value, CheckpointEvery = CheckpointEvery!.Value,
        Privacy = Privacy.DpOptions.FromRecipe(DpEpsilon, DpNoise, DpDelta, DpClip),
    };

    /// <summary>How to fit the sampling prior after training, or null for N(0, I) (a resolved recipe).</summary>
    public LatentPriorOptions? ToLatentPriorOptions()
    {
        if (PriorComponents is < 1) throw LoomUsageException.ForOption(nameof(PriorComponents),
            $"must be at least 1, got {PriorComponents}");
        return LatentPrior!.Trim().ToLowerInvariant() switch
        {
            "normal" => null,
            "gmm" => new LatentPriorOptions { Components = PriorComponents!.Value, Seed = Seed!.Value },
            _ => throw LoomUsageException.ForOption(nameof(LatentPrior), $"expected normal or gmm, got '{LatentPrior}'"),
        };
    }
}
