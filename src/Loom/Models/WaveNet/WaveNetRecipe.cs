using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.WaveNet;

/// <summary>
/// Everything a <c>wavenet</c> run starts from — data, network sizes, training windows, optimizer, the held-out scoring
/// and the preview — as one record that round-trips through JSON (<see cref="RecipeJson"/>). Unset (null) properties take
/// <see cref="Defaults"/>. A run writes the resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record WaveNetRecipe
{
    /// <summary>spoken-digits, a folder holding its index.csv, or the index file. Required.</summary>
    public string? Data { get; init; }
    /// <summary>Condition every gate on the clip's digit.</summary>
    public bool? Conditional { get; init; }
    /// <summary>
    /// Also condition every layer on each sample's position in its clip (<see cref="WaveNetTimeline"/>, 16 cosine
    /// features, 32 channels): the model learns which part of the word comes when, and a sample's length sets its pace.
    /// On by default; a run saved before the option existed resumes without it.
    /// </summary>
    public bool? Timeline { get; init; }
    /// <summary>Channels of the residual stream and of the skip connections.</summary>
    public int? ResidualChannels { get; init; }
    public int? SkipChannels { get; init; }
    /// <summary>Dilated layers per stack (dilations 1 … 2^(n−1)) and stacks.</summary>
    public int? LayersPerStack { get; init; }
    public int? Stacks { get; init; }
    /// <summary>Samples per training window (random windows of the training clips).</summary>
    public int? Window { get; init; }
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    /// <summary>constant, cosine or linear decay after the warmup.</summary>
    public string? LrSchedule { get; init; }
    public long? Warmup { get; init; }
    /// <summary>Gradient-norm clip; 0 = none.</summary>
    public double? GradClip { get; init; }
    /// <summary>Test clips scored after training (bits per sample on the card); 0 = none.</summary>
    public int? EvalClips { get; init; }
    /// <summary>Clips written as samples/*.wav (+ spectrogram PNGs) after training, and their length in samples; 0 = none.</summary>
    public int? PreviewSamples { get; init; }
    public int? PreviewLength { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    /// <summary>Seed of the weights, the windows and the previews.</summary>
    public long? Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval, evaluation and preview.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } =
        new HashSet<string> { "steps", "checkpoint_every", "eval_clips", "preview_samples", "preview_length" };

    /// <summary>Runs saved before the timeline existed (it is on by default now) trained without one.</summary>
    public static IReadOnlyDictionary<string, JsonNode> AbsentOnResumeMeans { get; } =
        new Dictionary<string, JsonNode> { ["timeline"] = false };

    /// <summary>A small network that trains on CPU: 2 stacks of 8 layers (receptive field 511 samples, 64 ms at 8 kHz).</summary>
    public static WaveNetRecipe Defaults { get; } = new()
    {
        Conditional = true, Timeline = true, ResidualChannels = 32, SkipChannels = 64, LayersPerStack = 8, Stacks = 2, Window = 2048,
        Steps = 2000, BatchSize = 8, LearningRate = 2e-3, LrSchedule = "cosine", Warmup = 50, GradClip = 1, EvalClips = 1000,
        PreviewSamples = 2, PreviewLength = 4000, CheckpointEvery = 500, Seed = 0,
    };

    /// <summary>This recipe with every unset property taken from <see cref="Defaults"/>; validates the result.</summary>
    public WaveNetRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<WaveNetRecipe>(json, "wavenet recipe");
        resolved.Validate();
        return resolved;
    }

    /// <summary>Checks a resolved recipe; errors name the property.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        if (Window is < 2 or > 1_000_000) throw LoomUsageException.ForOption(nameof(Window), $"must be 2 to 1000000 samples, got {Window}");
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (Warmup < 0) throw LoomUsageException.ForOption(nameof(Warmup), $"must be >= 0, got {Warmup}");
        if (!(GradClip >= 0)) throw LoomUsageException.ForOption(nameof(GradClip), $"must be >= 0, got {GradClip}");
        if (EvalClips < 0) throw LoomUsageException.ForOption(nameof(EvalClips), $"must be >= 0, got {EvalClips}");
        if (PreviewSamples is < 0 or > 100)
            throw LoomUsageException.ForOption(nameof(PreviewSamples), $"must be 0 to 100, got {PreviewSamples}");
        if (PreviewLength is < 1 or > 480_000)
            throw LoomUsageException.ForOption(nameof(PreviewLength), $"must be 1 to 480000 samples, got {PreviewLength}");
        if (CheckpointEvery < 0) throw LoomUsageException.ForOption(nameof(CheckpointEvery), $"must be >= 0, got {CheckpointEvery}");
        ToConfig([], 8000).Validate();
        ToSchedule();
    }

    /// <summary>The network of a resolved recipe for audio at <paramref name="sampleRate"/> Hz.</summary>
    public WaveNetConfig ToConfig(IReadOnlyList<string> classNames, int sampleRate, string dataName = "") => new()
    {
        ResidualChannels = ResidualChannels!.Value, SkipChannels = SkipChannels!.Value, LayersPerStack = LayersPerStack!.Value,
        Stacks = Stacks!.Value, SampleRate = sampleRate, ClassNames = Conditional == true ? classNames : [], DataName = dataName,
        TimelineFeatures = Timeline == true ? TimelineFeatureCount : 0,
    };

    /// <summary>The cosines of the clip position a <see cref="Timeline"/> recipe's network sees.</summary>
    public const int TimelineFeatureCount = 16;

    /// <summary>The learning-rate schedule of a resolved recipe.</summary>
    public ScheduleKind ToSchedule() => LearningRateSchedule.ParseKind(LrSchedule!);
}
