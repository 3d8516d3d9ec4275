using Loom.Core;
using Loom.Data;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.Flows;

/// <summary>
/// Everything a <c>flow</c> run starts from — data, architecture and layer sizes, and the minibatch optimizer — as one
/// record that round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take <see cref="Defaults"/>
/// (a vector flow for 2-D data); on images (fashion-mnist or a folder of PNGs) unset sizes take <see cref="ImageDefaults"/>.
/// A run writes the resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record FlowRecipe
{
    /// <summary>A numeric CSV, a toy 2-D set, fashion-mnist or a folder of PNGs. Required.</summary>
    public string? Data { get; init; }
    /// <summary>Points generated for a toy set.</summary>
    public int? Points { get; init; }
    /// <summary>Images at most (fashion-mnist, PNG folders); 0 = all.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Fraction held out (seeded) for the held-out NLL, in [0, 0.9).</summary>
    public double? Holdout { get; init; }
    /// <summary>realnvp | glow | maf | spline (images: realnvp or glow).</summary>
    public string? Architecture { get; init; }
    /// <summary>Couplings, MAF layers or Glow steps (per scale for images).</summary>
    public int? Layers { get; init; }
    /// <summary>Width of the conditioner networks (MLP units; CNN channels for images).</summary>
    public int? Hidden { get; init; }
    /// <summary>Hidden layers of the conditioner MLPs and MADEs.</summary>
    public int? HiddenLayers { get; init; }
    /// <summary>Spline bins K and the half-width B of the interval [−B, B] the splines cover (identity outside).</summary>
    public int? Bins { get; init; }
    public double? TailBound { get; init; }
    /// <summary>Image scales (each ends in a multi-scale split, the last flattens).</summary>
    public int? Scales { get; init; }
    /// <summary>α of the logit pre-transform of images.</summary>
    public double? LogitAlpha { get; init; }
    /// <summary>Steps, examples per step, peak learning rate, its schedule (constant, cosine or linear) and warmup (at most the
    /// steps).</summary>
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public string? LrSchedule { get; init; }
    public long? Warmup { get; init; }
    /// <summary>Gradient-norm clip; 0 = none.</summary>
    public double? GradClip { get; init; }
    /// <summary>EMA decay of the weights the saved model gets; 0 = no EMA.</summary>
    public double? Ema { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval, the data named again.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every", "data" };

    public static FlowRecipe Defaults { get; } = new()
    {
        Points = 20000, TrainLimit = 0, Holdout = 0.1, Architecture = "realnvp", Layers = 8, Hidden = 128, HiddenLayers = 2, Bins = 8,
        TailBound = 4, Scales = 2, LogitAlpha = 1e-6, Steps = 3000, BatchSize = 256, LearningRate = 1e-3, LrSchedule = "cosine",
        Warmup = 100, GradClip = 10, Ema = 0, CheckpointEvery = 0, Seed = 0,
    };

    /// <summary>The sizes an image run takes when the recipe leaves them unset.</summary>
    public static FlowRecipe ImageDefaults { get; } = new() { Layers = 4, Hidden = 32, BatchSize = 64, LearningRate = 1e-3 };

    /// <summary>Whether the data names images (fashion-mnist or a folder).</summary>
    public bool IsImageData() => Data is { } d && (TrainingData.IsFashionMnist(d) || Directory.Exists(d));

    /// <summary>This recipe with every unset property taken from the defaults; validates the result.</summary>
    public FlowRecipe Resolve()
    {
        var layered = RecipeJson.ToJson(Defaults);
        if (IsImageData())
            layered = RecipeJson.Overlay(layered, RecipeJson.ToJson(ImageDefaults));
        var resolved = RecipeJson.FromJson<FlowRecipe>(RecipeJson.Overlay(layered, RecipeJson.ToJson(this)), "flow recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Holdout is < 0 or >= 0.9) throw LoomUsageException.ForOption(nameof(Holdout), $"must be in [0, 0.9), got {Holdout}");
        if (Ema is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(Ema), $"must be in [0, 1), got {Ema}");
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (GradClip < 0) throw LoomUsageException.ForOption(nameof(GradClip), $"must be >= 0, got {GradClip}");
        if (TrainLimit < 0) throw LoomUsageException.ForOption(nameof(TrainLimit), $"must be >= 0, got {TrainLimit}");
        ToConfig(2, null).Validate();
        ToSchedule();
    }

    /// <summary>The flow's shape for data of <paramref name="dimensions"/> (and <paramref name="image"/> shape, or null).</summary>
    public FlowConfig ToConfig(int dimensions, ImageShape? image) => new()
    {
        Architecture = FlowArchitectures.Parse(Architecture!), Dimensions = dimensions, Image = image, Layers = Layers!.Value,
        Hidden = Hidden!.Value, HiddenLayers = HiddenLayers!.Value, Bins = Bins!.Value, TailBound = TailBound!.Value,
        Scales = Scales!.Value, LogitAlpha = LogitAlpha!.Value, Seed = Seed!.Value,
    };

    /// <summary>The learning-rate schedule of a resolved recipe.</summary>
    public ScheduleKind ToSchedule() => LearningRateSchedule.ParseKind(LrSchedule!);
}
