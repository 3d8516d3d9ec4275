using Loom.Core;
using Loom.Data;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.PixelCnn;

/// <summary>
/// Everything a <c>pixelcnn</c> run starts from — data, head, network sizes, optimizer and the held-out evaluation — as one
/// record that round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take <see cref="Defaults"/>.
/// A run writes the resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record PixelCnnRecipe
{
    /// <summary>fashion-mnist or a folder of PNGs (grey; colour is averaged). Required.</summary>
    public string? Data { get; init; }
    /// <summary>binary (Bernoulli pixels, dynamically binarized data) or byte (256-way softmax over 8-bit grey levels).</summary>
    public string? Head { get; init; }
    /// <summary>Condition every gate on the class (fashion-mnist's labels).</summary>
    public bool? Conditional { get; init; }
    /// <summary>Channels of the stacks, gated layers, first and later kernel widths, hidden channels of the output network.</summary>
    public int? Channels { get; init; }
    public int? Layers { get; init; }
    public int? FirstKernel { get; init; }
    public int? Kernel { get; init; }
    public int? OutputHidden { get; init; }
    /// <summary>Training images at most; 0 = all.</summary>
    public int? TrainLimit { get; init; }
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    /// <summary>constant, cosine or linear decay after the warmup.</summary>
    public string? LrSchedule { get; init; }
    public long? Warmup { get; init; }
    /// <summary>Gradient-norm clip; 0 = none.</summary>
    public double? GradClip { get; init; }
    /// <summary>Held-out images to score after training (fashion-mnist's test split; a folder scores its first images).</summary>
    public int? EvalN { get; init; }
    /// <summary>Samples in the samples.png grid written after training (each costs one network pass per pixel); 0 = none.</summary>
    public int? PreviewSamples { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    /// <summary>Seed of the weights, batches, binarizations and the held-out binarization.</summary>
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval, evaluation size.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } =
        new HashSet<string> { "steps", "checkpoint_every", "eval_n", "preview_samples" };

    /// <summary>A small network that trains on CPU: 64 channels, 8 gated layers, a 7-wide first kernel.</summary>
    public static PixelCnnRecipe Defaults { get; } = new()
    {
        Head = "binary", Conditional = false, Channels = 64, Layers = 8, FirstKernel = 7, Kernel = 3, OutputHidden = 64, TrainLimit = 0,
        Steps = 3000, BatchSize = 64, LearningRate = 1e-3, LrSchedule = "cosine", Warmup = 100, GradClip = 10, EvalN = 2000,
        PreviewSamples = 16, CheckpointEvery = 500, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public PixelCnnRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<PixelCnnRecipe>(json, "pixelcnn recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (!TrainingData.IsFashionMnist(Data) && !Directory.Exists(Data))
            throw LoomUsageException.ForOption(nameof(Data), $"{Data}: expected fashion-mnist or a folder of PNG images");
        if (Conditional == true && !TrainingData.IsFashionMnist(Data))
            throw LoomUsageException.ForOption(nameof(Conditional), "needs class labels; only fashion-mnist has them");
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (Warmup < 0) throw LoomUsageException.ForOption(nameof(Warmup), $"must be >= 0, got {Warmup}");
        if (!(GradClip >= 0)) throw LoomUsageException.ForOption(nameof(GradClip), $"must be >= 0, got {GradClip}");
        if (TrainLimit < 0) throw LoomUsageException.ForOption(nameof(TrainLimit), $"must be >= 0, got {TrainLimit}");
        if (EvalN < 0) throw LoomUsageException.ForOption(nameof(EvalN), $"must be >= 0, got {EvalN}");
        if (PreviewSamples is < 0 or > 1024)
            throw LoomUsageException.ForOption(nameof(PreviewSamples), $"must be 0 to 1024, got {PreviewSamples}");
        if (CheckpointEvery < 0) throw LoomUsageException.ForOption(nameof(CheckpointEvery), $"must be >= 0, got {CheckpointEvery}");
        ToConfig(28, 28, []).Validate();
        ToSchedule();
    }

    /// <summary>The network for images of <paramref name="height"/> × <paramref name="width"/> (a resolved recipe).</summary>
    public PixelCnnConfig ToConfig(int height, int width, IReadOnlyList<string> classNames, string dataName = "") => new()
    {
        Head = PixelCnnHeads.Parse(Head!), Channels = Channels!.Value, Layers = Layers!.Value, FirstKernel = FirstKernel!.Value,
        Kernel = Kernel!.Value, OutputHidden = OutputHidden!.Value, Height = height, Width = width,
        ClassNames = Conditional == true ? classNames : [], DataName = dataName,
    };

    /// <summary>The learning-rate schedule of a resolved recipe.</summary>
    public ScheduleKind ToSchedule() => LearningRateSchedule.ParseKind(LrSchedule!);
}
