using Loom.Core;
using Loom.Data;
using Loom.Training.Runs;

namespace Loom.Models.Energy;

/// <summary>
/// Everything an <c>ebm</c> run starts from — data, the energy network, the SGLD sampler and replay buffer that make the
/// negatives, the stabilisers and the optimizer — as one record that round-trips through JSON (<see cref="RecipeJson"/>).
/// Unset (null) properties take <see cref="Defaults"/> (an MLP on 2-D data); on images (fashion-mnist or a folder of
/// PNGs) unset ones take <see cref="ImageDefaults"/> first. A run writes the resolved recipe to run.json and a resumed run
/// keeps it.
/// </summary>
public sealed record EnergyRecipe
{
    /// <summary>A toy 2-D set, a numeric CSV, fashion-mnist or a folder of PNGs. Required.</summary>
    public string? Data { get; init; }
    /// <summary>Points generated for a toy set.</summary>
    public int? Points { get; init; }
    /// <summary>Images at most (fashion-mnist, PNG folders); 0 = all.</summary>
    public int? TrainLimit { get; init; }
    /// <summary>MLP width, or the conv net's base channels.</summary>
    public int? Hidden { get; init; }
    /// <summary>Hidden layers of the MLP.</summary>
    public int? Layers { get; init; }
    /// <summary>
    /// A joint energy model (JEM, Grathwohl et al. 2020): the network's outputs are the data's class logits f(x), the energy
    /// is −logsumexp f(x), and the loss adds the labels' cross-entropy, so the model is also a classifier and samples a
    /// class on request. Needs labelled data (fashion-mnist).
    /// </summary>
    public bool? Joint { get; init; }
    /// <summary>Spectral normalization on every layer.</summary>
    public bool? SpectralNorm { get; init; }
    /// <summary>SGLD steps K per training step, from the replay buffer.</summary>
    public int? SgldSteps { get; init; }
    /// <summary>SGLD step size ε in x ← x − (ε/2)∇E(x) + noise·N(0, I).</summary>
    public double? StepSize { get; init; }
    /// <summary>Standard deviation of the SGLD noise.</summary>
    public double? Noise { get; init; }
    /// <summary>Persistent chains held in the replay buffer.</summary>
    public int? BufferSize { get; init; }
    /// <summary>Fraction of chains restarted from uniform noise at each draw, in [0, 1].</summary>
    public double? Reinit { get; init; }
    /// <summary>α of the energy magnitude regulariser α·(E(x⁺)² + E(x⁻)²).</summary>
    public double? Alpha { get; init; }
    /// <summary>SGLD steps <c>loom sample</c> runs from noise by default.</summary>
    public int? SampleSteps { get; init; }
    /// <summary>Steps, examples per step, learning rate (Adam, β₁ = 0, as EBM training usually takes).</summary>
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    /// <summary>Gradient-norm clip; 0 = none.</summary>
    public double? GradClip { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval, the data named again,
    /// the default sampling steps.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } =
        new HashSet<string> { "steps", "checkpoint_every", "data", "sample_steps" };

    public static EnergyRecipe Defaults { get; } = new()
    {
        Points = 20000, TrainLimit = 0, Joint = false, Hidden = 128, Layers = 3, SpectralNorm = false, SgldSteps = 40, StepSize = 0.01,
        Noise = 0.1, BufferSize = 10000, Reinit = 0.05, Alpha = 0.1, SampleSteps = 500, Steps = 2000, BatchSize = 256, LearningRate = 1e-3,
        GradClip = 1, CheckpointEvery = 0, Seed = 0,
    };

    /// <summary>What an image run takes when the recipe leaves it unset (Du and Mordatch's image settings, scaled to a CPU).</summary>
    public static EnergyRecipe ImageDefaults { get; } = new()
    {
        Hidden = 8, SgldSteps = 10, StepSize = 20, Noise = 0.005, Alpha = 1, SampleSteps = 60, Steps = 1000, BatchSize = 32,
        LearningRate = 1e-4,
    };

    /// <summary>Whether the data names images (fashion-mnist or a folder).</summary>
    public bool IsImageData() => Data is { } d && (TrainingData.IsFashionMnist(d) || Directory.Exists(d));

    /// <summary>This recipe with every unset property taken from the defaults; validates the result.</summary>
    public EnergyRecipe Resolve()
    {
        var layered = RecipeJson.ToJson(Defaults);
        if (IsImageData())
            layered = RecipeJson.Overlay(layered, RecipeJson.ToJson(ImageDefaults));
        var resolved = RecipeJson.FromJson<EnergyRecipe>(RecipeJson.Overlay(layered, RecipeJson.ToJson(this)), "ebm recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (GradClip < 0) throw LoomUsageException.ForOption(nameof(GradClip), $"must be >= 0, got {GradClip}");
        if (TrainLimit < 0) throw LoomUsageException.ForOption(nameof(TrainLimit), $"must be >= 0, got {TrainLimit}");
        if (CheckpointEvery < 0) throw LoomUsageException.ForOption(nameof(CheckpointEvery), $"must be >= 0, got {CheckpointEvery}");
        if (BufferSize is < 1 or > 1_000_000)
            throw LoomUsageException.ForOption(nameof(BufferSize), $"must be 1 to 1000000, got {BufferSize}");
        if (Reinit is not (>= 0 and <= 1)) throw LoomUsageException.ForOption(nameof(Reinit), $"must be in [0, 1], got {Reinit}");
        if (Alpha is not >= 0 || !double.IsFinite(Alpha.Value))
            throw LoomUsageException.ForOption(nameof(Alpha), $"must be a finite number >= 0, got {Alpha}");
        if (SgldSteps is < 1 or > 10_000) throw LoomUsageException.ForOption(nameof(SgldSteps), $"must be 1 to 10000, got {SgldSteps}");
        ToConfig(2, null, -1, 1).Validate();
    }

    /// <summary>
    /// The model's shape for data of <paramref name="dimensions"/> (or <paramref name="image"/>) in [low, high]; a joint
    /// recipe's model takes <paramref name="classNames"/>.
    /// </summary>
    public EnergyConfig ToConfig(int dimensions, ImageShape? image, double low, double high,
        IReadOnlyList<string>? classNames = null) => new()
        {
            ClassNames = Joint == true ? classNames ?? [] : [],
            Dimensions = dimensions, Image = image, Hidden = Hidden!.Value, Layers = Layers!.Value, SpectralNorm = SpectralNorm!.Value,
            Low = low, High = high, SampleSteps = SampleSteps!.Value, StepSize = StepSize!.Value, Noise = Noise!.Value,
        };

    /// <summary>The SGLD run that makes a training step's negatives, clamped to [low, high].</summary>
    public SgldOptions TrainingSampler(double low, double high) =>
        new() { Steps = SgldSteps!.Value, StepSize = StepSize!.Value, Noise = Noise!.Value, Low = low, High = high };
}
