using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.Diffusion;

/// <summary>
/// Everything a diffusion training run starts from — data, network, noise schedule, objective, optimizer and the
/// sampler saved with the model — as one record that round-trips through JSON (<see cref="RecipeJson"/>). Unset
/// (null) properties take the preset for the data: <see cref="ImagePreset"/> for image data (cosine schedule,
/// v-prediction, min-SNR 5, lr 8e-4 with cosine decay; docs/diffusion.md says why) and <see cref="VectorPreset"/> for
/// vectors, then the fixed defaults below. A run writes the resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record DiffusionRecipe
{
    /// <summary>fashion-mnist, a toy 2-D set, or a numeric CSV (one vector per row). Required.</summary>
    public string? Data { get; init; }
    /// <summary>Condition on class labels (classifier-free guidance through label dropout).</summary>
    public bool? Conditional { get; init; }
    /// <summary>Points drawn from a toy data set.</summary>
    public int? Points { get; init; }
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public long? Warmup { get; init; }
    /// <summary>constant, cosine or linear decay of the learning rate.</summary>
    public string? LrSchedule { get; init; }
    /// <summary>Noise schedule: linear, scaled-linear or cosine.</summary>
    public string? NoiseSchedule { get; init; }
    public int? Timesteps { get; init; }
    /// <summary>Training target: epsilon, x0 or v.</summary>
    public string? Prediction { get; init; }
    /// <summary>Min-SNR-γ loss weighting; 0 = plain MSE.</summary>
    public double? MinSnr { get; init; }
    public double? LabelDropout { get; init; }
    public bool? Flip { get; init; }
    /// <summary>EMA decay of the sampling weights; 0 = no EMA.</summary>
    public double? Ema { get; init; }
    public int? BaseChannels { get; init; }
    public int[]? Multipliers { get; init; }
    public int? ResBlocks { get; init; }
    /// <summary>U-Net levels with self-attention (0 = full resolution).</summary>
    public int[]? Attention { get; init; }
    public double? Dropout { get; init; }
    /// <summary>MLP denoiser width and residual blocks (vector data).</summary>
    public int? Width { get; init; }
    public int? Layers { get; init; }
    /// <summary>The sampler, its steps and the guidance scale saved with the model as its defaults.</summary>
    public string? Sampler { get; init; }
    public int? SamplerSteps { get; init; }
    public double? Guidance { get; init; }
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

    /// <summary>The image recipe (U-Net): docs/diffusion.md, "Recipe".</summary>
    public static JsonObject ImagePreset => new()
    {
        ["steps"] = 5000, ["batch_size"] = 64, ["learning_rate"] = 8e-4, ["lr_schedule"] = "cosine",
        ["noise_schedule"] = "cosine", ["prediction"] = "v", ["min_snr"] = 5.0,
    };

    /// <summary>The vector recipe (MLP denoiser).</summary>
    public static JsonObject VectorPreset => new()
    {
        ["steps"] = 3000, ["batch_size"] = 256, ["learning_rate"] = 1e-3, ["lr_schedule"] = "constant",
        ["noise_schedule"] = "linear", ["prediction"] = "epsilon", ["min_snr"] = 0.0,
    };

    /// <summary>Defaults that do not depend on the data.</summary>
    public static DiffusionRecipe Defaults { get; } = new()
    {
        Conditional = false, Points = 20000, Warmup = 200, Timesteps = 1000, LabelDropout = 0.1, Flip = false, Ema = 0.999,
        BaseChannels = 32, Multipliers = [1, 2, 2], ResBlocks = 1, Attention = [2], Dropout = 0, Width = 128, Layers = 3,
        Sampler = "ddim", SamplerSteps = 50, Guidance = 3, CheckpointEvery = 500, Seed = 0,
    };

    /// <summary>
    /// This recipe with every unset property filled: the preset for <paramref name="images"/> data first, then
    /// <see cref="Defaults"/>. Validates the result.
    /// </summary>
    public DiffusionRecipe Resolve(bool images)
    {
        var json = RecipeJson.Overlay(
            RecipeJson.Overlay(RecipeJson.ToJson(Defaults), images ? ImagePreset : VectorPreset), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<DiffusionRecipe>(json, "diffusion recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Points is < 1) throw LoomUsageException.ForOption(nameof(Points), $"must be at least 1, got {Points}");
        if (Steps is < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (Timesteps is < 2) throw LoomUsageException.ForOption(nameof(Timesteps), $"must be at least 2, got {Timesteps}");
        if (Ema is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(Ema), $"must be in [0, 1), got {Ema}");
        if (SamplerSteps is < 1) throw LoomUsageException.ForOption(nameof(SamplerSteps), $"must be at least 1, got {SamplerSteps}");
        foreach (var (name, value) in new[]
        {
            (nameof(BaseChannels), BaseChannels), (nameof(ResBlocks), ResBlocks), (nameof(Width), Width), (nameof(Layers), Layers)
        })
            if (value is < 1) throw LoomUsageException.ForOption(name, $"must be at least 1, got {value}");
    }

    /// <summary>The model's config for data <paramref name="data"/> (a resolved recipe).</summary>
    public DiffusionConfig ToConfig(DiffusionData data)
    {
        var sampler = new SamplerOptions { Sampler = Sampler!, Steps = SamplerSteps!.Value };
        sampler.Create();
        return new DiffusionConfig
        {
            Network = data.Images ? "unet" : "mlp",
            UNet = new UNetConfig
            {
                Channels = (int)data.SampleShape[0], Resolution = data.Images ? (int)data.SampleShape[1] : 28,
                BaseChannels = BaseChannels!.Value, Multipliers = Multipliers!, ResBlocksPerLevel = ResBlocks!.Value,
                AttentionLevels = Attention!, Dropout = Dropout!.Value,
            },
            Mlp = new MlpDenoiserConfig { Width = Width!.Value, Layers = Layers!.Value },
            Schedule = Diffusion.NoiseSchedule.ParseKind(NoiseSchedule!),
            Timesteps = Timesteps!.Value,
            Prediction = Predictions.Parse(Prediction!),
            SampleShape = data.SampleShape,
            Images = data.Images,
            ClassNames = data.ClassNames,
            DataName = data.Name,
            DefaultSampler = sampler,
            DefaultGuidance = Guidance!.Value,
            VectorRange = data.Images ? null : WidenedRange(data),
        };
    }

    /// <summary>The optimizer and objective settings (a resolved recipe).</summary>
    public DiffusionTrainingOptions ToTrainingOptions() => new()
    {
        Steps = Steps!.Value, BatchSize = BatchSize!.Value, LearningRate = LearningRate!.Value, Warmup = Warmup!.Value,
        LearningRateSchedule = LearningRateSchedule.ParseKind(LrSchedule!), EmaDecay = Ema > 0 ? Ema : null,
        MinSnrGamma = MinSnr!.Value, LabelDropout = LabelDropout!.Value, RandomFlip = Flip!.Value, Seed = Seed!.Value,
        CheckpointEvery = CheckpointEvery!.Value,
        Privacy = Privacy.DpOptions.FromRecipe(DpEpsilon, DpNoise, DpDelta, DpClip),
    };

    /// <summary>The training vectors' overall range widened by 10% on each side (where samples are clipped).</summary>
    private static (double, double) WidenedRange(DiffusionData data)
    {
        var (lo, hi) = data.Range ?? throw new InvalidOperationException("vector data without a range");
        double margin = 0.1 * (hi - lo);
        return (lo - margin, hi + margin);
    }
}
