using Loom.Core;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;

namespace Loom.Models.Language;

/// <summary>A named model + training configuration. Vocabulary size is filled in from the tokenizer.</summary>
public sealed record LanguageModelPreset(string Name, string Description, LanguageModelTrainingOptions Training,
    TransformerConfig? Transformer = null, RecurrentConfig? Recurrent = null, SequenceLayout Layout = SequenceLayout.Stream);

/// <summary>The presets <c>loom train gpt|llama|lstm|gru --preset NAME</c> knows.</summary>
public static class LanguageModelPresets
{
    private static readonly LanguageModelPreset[] All =
    [
        new("shakespeare-char-cpu", "nanoGPT's CPU run: 4 layers, 4 heads, 128 wide, context 64, batch 12, 2000 steps, no dropout",
            new LanguageModelTrainingOptions { Steps = 2000, BatchSize = 12, Context = 64, LearningRate = 1e-3, MinLearningRate = 1e-4, Warmup = 100, EvalEvery = 250, EvalBatches = 20 },
            Transformer: TransformerConfig.Gpt2(0, 64, 4, 4, 128)),
        new("shakespeare-char", "nanoGPT's GPU run: 6 layers, 6 heads, 384 wide, context 256, batch 64, dropout 0.2, 5000 steps",
            new LanguageModelTrainingOptions { Steps = 5000, BatchSize = 64, Context = 256, LearningRate = 1e-3, MinLearningRate = 1e-4, Warmup = 100, EvalEvery = 250, EvalBatches = 200 },
            Transformer: TransformerConfig.Gpt2(0, 256, 6, 6, 384, dropout: 0.2)),
        new("names", "makemore's names: one name per line, 4 layers, 4 heads, 64 wide, 20,000 steps",
            new LanguageModelTrainingOptions { Steps = 20000, BatchSize = 32, Context = 16, LearningRate = 1e-3, MinLearningRate = 1e-4, Warmup = 200, WeightDecay = 0.01, EvalEvery = 2000, EvalBatches = 20 },
            Transformer: TransformerConfig.Gpt2(0, 16, 4, 4, 64), Layout: SequenceLayout.Lines),
        new("names-gru", "names with a GRU: 64-wide embedding, 256 hidden",
            new LanguageModelTrainingOptions { Steps = 6000, BatchSize = 32, Context = 16, LearningRate = 5e-3, MinLearningRate = 5e-4, Warmup = 200, WeightDecay = 0.01, EvalEvery = 1000, EvalBatches = 20 },
            Recurrent: new RecurrentConfig { Cell = RecurrentCell.Gru, EmbeddingWidth = 64, Hidden = 256 }, Layout: SequenceLayout.Lines),
        new("names-lstm", "names with an LSTM: 64-wide embedding, 256 hidden",
            new LanguageModelTrainingOptions { Steps = 6000, BatchSize = 32, Context = 16, LearningRate = 5e-3, MinLearningRate = 5e-4, Warmup = 200, WeightDecay = 0.01, EvalEvery = 1000, EvalBatches = 20 },
            Recurrent: new RecurrentConfig { Cell = RecurrentCell.Lstm, EmbeddingWidth = 64, Hidden = 256 }, Layout: SequenceLayout.Lines),
    ];

    public static IReadOnlyList<LanguageModelPreset> Presets => All;

    public static LanguageModelPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new LoomUsageException($"--preset: '{name}' is not a preset; use {string.Join(", ", All.Select(p => p.Name))}");
}
