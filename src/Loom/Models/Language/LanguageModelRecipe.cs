using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Language;

/// <summary>
/// Everything a neural language-model run starts from — text, tokenizer, layout, network shape and optimizer — as one
/// record that round-trips through JSON (<see cref="RecipeJson"/>). The kind (gpt, llama, lstm, gru) is the family
/// that trains it. Unset (null) properties take the named <see cref="Preset"/> (by default shakespeare-char-cpu for a
/// text stream, the family's names preset for line data; <see cref="LanguageModelPresets"/>), then <see cref="Defaults"/>.
/// A run writes the resolved recipe to run.json and a resumed run keeps it.
/// </summary>
public sealed record LanguageModelRecipe
{
    /// <summary>A UTF-8 text file or a text data set (tinyshakespeare, names, kjv). Required.</summary>
    public string? Data { get; init; }
    /// <summary>char | bpe:N (byte-level BPE trained to N tokens) | tiktoken (o200k_base).</summary>
    public string? Tokenizer { get; init; }
    /// <summary>A preset name; unset: shakespeare-char-cpu for a text stream, the family's names preset for line data.</summary>
    public string? Preset { get; init; }
    /// <summary>stream (one text, random windows) | lines (one sequence per line) | auto (lines for the names data set).</summary>
    public string? Layout { get; init; }
    public long? Steps { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>Tokens per training window; line data widens it to the longest line.</summary>
    public int? Context { get; init; }
    /// <summary>Peak learning rate (cosine decay to <see cref="MinLearningRate"/>).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Learning rate at the end; unset: the preset's, or the learning rate when that is lower.</summary>
    public double? MinLearningRate { get; init; }
    public long? Warmup { get; init; }
    /// <summary>AdamW weight decay on matrices.</summary>
    public double? WeightDecay { get; init; }
    /// <summary>Estimate train/val loss every N steps, over <see cref="EvalBatches"/> batches per split.</summary>
    public long? EvalEvery { get; init; }
    public int? EvalBatches { get; init; }
    /// <summary>Transformer blocks or RNN layers.</summary>
    public int? Layers { get; init; }
    /// <summary>Attention heads and key/value heads (llama: grouped-query attention; unset: as many as heads).</summary>
    public int? Heads { get; init; }
    public int? KvHeads { get; init; }
    /// <summary>Transformer width (embedding size).</summary>
    public int? Width { get; init; }
    /// <summary>RNN hidden size and embedding size.</summary>
    public int? Hidden { get; init; }
    public int? Embedding { get; init; }
    public double? Dropout { get; init; }
    /// <summary>float32 | bfloat16: the dtype the network computes in while training (bfloat16: float32 master weights in the
    /// optimizer, <see cref="Training.TrainingPrecision"/>); the saved model is float32 either way.</summary>
    public string? Precision { get; init; }
    /// <summary>Save every N steps; 0 = at the end and when cancelled.</summary>
    public long? CheckpointEvery { get; init; }
    public long? Seed { get; init; }
    /// <summary>DP-SGD with the noise found for this target ε over the run (see <see cref="Privacy.DpOptions"/>); each
    /// disjoint training window (stream) or line is one protected example. Transformer families only.</summary>
    public double? DpEpsilon { get; init; }
    /// <summary>DP-SGD with this noise multiplier σ instead of a target ε.</summary>
    public double? DpNoise { get; init; }
    /// <summary>δ of DP-SGD's (ε, δ) guarantee (default 1e-5).</summary>
    public double? DpDelta { get; init; }
    /// <summary>DP-SGD's per-example gradient clipping norm (default 1).</summary>
    public double? DpClip { get; init; }
    /// <summary>A language-model checkpoint with the same tokenizer to distil: the student also learns its next-token
    /// distributions (<see cref="Distillation.DistillationOptions"/>). Unset: learn from the data alone.</summary>
    public string? Teacher { get; init; }
    /// <summary>Weight α of the teacher's term, in [0, 1] (default 0.5); needs <see cref="Teacher"/>.</summary>
    public double? DistillAlpha { get; init; }
    /// <summary>Softmax temperature of the teacher's term (default 2); needs <see cref="Teacher"/>.</summary>
    public double? DistillTemperature { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every" };

    /// <summary>Defaults no preset sets.</summary>
    public static LanguageModelRecipe Defaults { get; } =
        new() { Tokenizer = "char", Layout = "auto", CheckpointEvery = 0, Seed = 0, Precision = "float32" };

    /// <summary>Whether the text is laid out one sequence per line, for data set <paramref name="datasetName"/> (null: a file).</summary>
    public bool LinesFor(string? datasetName) => (Layout ?? Defaults.Layout) switch
    {
        "auto" => datasetName == "names",
        "lines" => true,
        "stream" => false,
        var other => throw new LoomUsageException($"layout: '{other}' is not a layout; use stream, lines or auto"),
    };

    /// <summary>
    /// This recipe with every unset property filled for <paramref name="family"/>: the preset first (the named one, else
    /// the family's default for <paramref name="lines"/> data), then <see cref="Defaults"/>. Validates the result.
    /// </summary>
    public LanguageModelRecipe Resolve(NeuralLanguageModelFamily family, bool lines)
    {
        var (presetName, preset) = family.Preset(Preset ?? family.DefaultPreset(lines));
        var defaults = RecipeJson.ToJson(Defaults with { Preset = presetName });
        var json = RecipeJson.Overlay(RecipeJson.Overlay(defaults, preset), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<LanguageModelRecipe>(json, "language model recipe");
        if (MinLearningRate is null)
            resolved = resolved with { MinLearningRate = Math.Min(resolved.MinLearningRate!.Value, resolved.LearningRate!.Value) };
        var options = resolved.ToTrainingOptions(resolved.Context!.Value);
        options.Validate();
        resolved = resolved with { Precision = Training.TrainingPrecision.Name(options.Precision) };   // bf16 → bfloat16
        if (!family.TrainingPrecisions.Contains(options.Precision))
            throw LoomUsageException.ForOption(nameof(Precision), $"a {family.Kind} model trains in "
                + $"{string.Join(" or ", family.TrainingPrecisions.Select(Training.TrainingPrecision.Name))} here, not "
                + Training.TrainingPrecision.Name(options.Precision));
        return resolved;
    }

    /// <summary>The optimizer settings of a resolved recipe, for windows of <paramref name="context"/> tokens.</summary>
    public LanguageModelTrainingOptions ToTrainingOptions(int context) => new()
    {
        Steps = Steps!.Value, BatchSize = BatchSize!.Value, Context = context, LearningRate = LearningRate!.Value,
        MinLearningRate = MinLearningRate!.Value, Warmup = Warmup!.Value, WeightDecay = WeightDecay!.Value, EvalEvery = EvalEvery!.Value,
        EvalBatches = EvalBatches!.Value, CheckpointEvery = CheckpointEvery!.Value, Seed = Seed!.Value,
        Privacy = Privacy.DpOptions.FromRecipe(DpEpsilon, DpNoise, DpDelta, DpClip),
        Distillation = DistillationFor(),
        Precision = Training.TrainingPrecision.Parse(Precision),
    };

    private Distillation.DistillationOptions? DistillationFor()
    {
        if (Teacher is null)
            return DistillAlpha is null && DistillTemperature is null
                ? null
                : throw LoomUsageException.ForOption(DistillAlpha is null ? "DistillTemperature" : "DistillAlpha",
                    "weighs the teacher's term, but no Teacher is named");
        var defaults = new Distillation.DistillationOptions();
        return new Distillation.DistillationOptions
        {
            Alpha = DistillAlpha ?? defaults.Alpha, Temperature = DistillTemperature ?? defaults.Temperature,
        };
    }
}
