using Loom.Core;
using Loom.Data;
using Loom.Models.Language;

namespace Loom.Models.Adapters;

/// <summary>
/// Fine-tuning a trained model on new data: a language model (a Loom checkpoint or an HF folder) on text, or a U-Net
/// diffusion model on images (fashion-mnist, optionally some of its <see cref="Classes"/>, or a folder of PNGs). With a
/// LoRA adapter (the default; only the adapter trains and only it is saved) or, with <see cref="Full"/>, every weight (a
/// new checkpoint). Both run on the shared trainer with the same schedule, so equal steps compare like with like. A run
/// cancelled part way saves its adapter (or checkpoint), optimizer and step; resuming it continues exactly.
/// </summary>
public sealed record FineTuneRecipe
{
    /// <summary>The model to fine-tune: a checkpoint folder or an HF model folder. Required.</summary>
    public string? Base { get; init; }
    /// <summary>
    /// A UTF-8 text file or a text data set (tinyshakespeare, names, kjv) for a language model; fashion-mnist or a folder
    /// of PNG images for a diffusion model. Required.
    /// </summary>
    public string? Data { get; init; }
    /// <summary>Fashion-MNIST classes to fine-tune a diffusion model on ("9", "0,5,7" or names); null: all.</summary>
    public string? Classes { get; init; }
    /// <summary>Train every weight and save a full checkpoint instead of a LoRA adapter.</summary>
    public bool Full { get; init; }
    public int LoraRank { get; init; } = 8;
    public double LoraAlpha { get; init; } = 16;
    public double LoraDropout { get; init; }
    /// <summary>Module names separated by commas, or <c>re:</c> and a regular expression; null: the model style's default.</summary>
    public string? TargetModules { get; init; }
    public long Steps { get; init; } = 200;
    public int BatchSize { get; init; } = 8;
    /// <summary>Tokens per training window (at most the model's context); null: 64, or the model's context when shorter.</summary>
    public int? Context { get; init; }
    /// <summary>Peak learning rate; null: 1e-3 for LoRA, 3e-4 for full fine-tuning.</summary>
    public double? LearningRate { get; init; }
    public long Warmup { get; init; } = 20;
    public double WeightDecay { get; init; }
    public long EvalEvery { get; init; } = 50;
    public int EvalBatches { get; init; } = 10;
    /// <summary>Save the adapter (or checkpoint) and trainer state every N steps; 0: at the end and when cancelled.</summary>
    public long CheckpointEvery { get; init; }
    public long Seed { get; init; }

    /// <summary>What may differ when a run is resumed: more steps, another checkpoint interval.</summary>
    public static IReadOnlySet<string> MayChangeOnResume { get; } = new HashSet<string> { "steps", "checkpoint_every" };

    /// <summary>The Fashion-MNIST classes of <see cref="Classes"/>, or null for all.</summary>
    public int[]? ClassList() => Classes is null ? null : FashionMnistClasses.ParseList(Classes);

    /// <summary>The window when <see cref="Context"/> is unset and the model's context is longer.</summary>
    public const int DefaultContext = 64;

    /// <summary>The learning rate this recipe trains with.</summary>
    public double EffectiveLearningRate => LearningRate ?? (Full ? 3e-4 : 1e-3);

    /// <summary>The LoRA settings (targets parsed; unset: the style's default).</summary>
    public LoraConfig ToLoraConfig() => new()
    {
        Rank = LoraRank, Alpha = LoraAlpha, Dropout = LoraDropout, BaseModel = Base,
        TargetModules = TargetModules is null ? null : LoraTargets.Parse(TargetModules),
    };

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Base)) throw new LoomUsageException("fine-tuning: the recipe names no base model");
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "names no text to fine-tune on");
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (Warmup < 0) throw LoomUsageException.ForOption(nameof(Warmup), $"must not be negative, got {Warmup}");
        if (EvalEvery < 0) throw LoomUsageException.ForOption(nameof(EvalEvery), $"must not be negative, got {EvalEvery}");
        if (CheckpointEvery < 0)
            throw LoomUsageException.ForOption(nameof(CheckpointEvery), $"must not be negative, got {CheckpointEvery}");
        ClassList();
        if (!(EffectiveLearningRate > 0) || !double.IsFinite(EffectiveLearningRate))
            throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {EffectiveLearningRate}");
        if (!(WeightDecay >= 0)) throw LoomUsageException.ForOption(nameof(WeightDecay), $"must not be negative, got {WeightDecay}");
        if (!Full)
        {
            ToLoraConfig().Validate();
        }
        ToTrainingOptions(Context ?? DefaultContext).Validate();
    }

    /// <summary>The shared language-model trainer's settings for windows of <paramref name="context"/> tokens.</summary>
    public LanguageModelTrainingOptions ToTrainingOptions(int context) => new()
    {
        Steps = Steps, BatchSize = BatchSize, Context = context, LearningRate = EffectiveLearningRate,
        MinLearningRate = EffectiveLearningRate / 10, Warmup = Warmup, WeightDecay = WeightDecay, EvalEvery = EvalEvery,
        EvalBatches = EvalBatches, Seed = Seed, CheckpointEvery = CheckpointEvery,
    };
}
