using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Language;

/// <summary>The two network shapes a neural language model family builds.</summary>
public enum LanguageModelArchitecture
{
    /// <summary>A decoder-only transformer (gpt, llama): layers, heads, kv_heads, width, dropout.</summary>
    Transformer,
    /// <summary>An LSTM or GRU (lstm, gru): embedding, hidden, layers, dropout.</summary>
    Recurrent,
}

/// <summary>
/// A named language-model recipe as data: training values (for every kind) and the network shape of one
/// <see cref="LanguageModelArchitecture"/>. A family of the other architecture takes the training values with its own
/// default network (<see cref="LanguageModelPresets.DefaultNetwork"/>), as <c>loom train lstm --preset
/// shakespeare-char-cpu</c> always has.
/// </summary>
public sealed record LanguageModelPreset(string Name, string Description, LanguageModelArchitecture Architecture, JsonObject Training,
    JsonObject Network);

/// <summary>The presets <c>loom train gpt|llama|lstm|gru --preset NAME</c> knows (recipe properties, snake_case).</summary>
public static class LanguageModelPresets
{
    /// <summary>The preset a text stream takes when the recipe names none (nanoGPT's CPU run).</summary>
    public const string StreamDefault = "shakespeare-char-cpu";

    /// <summary>Every preset (fresh objects: callers may change them).</summary>
    public static IReadOnlyList<LanguageModelPreset> All =>
    [
        new("shakespeare-char-cpu", "nanoGPT's CPU run: 4 layers, 4 heads, 128 wide, context 64, batch 12, 2000 steps, no dropout",
            LanguageModelArchitecture.Transformer,
            TrainingValues(2000, 12, 64, 1e-3, 1e-4, 100, 0.1, 250, 20),
            TransformerShape(4, 4, 128, 0)),
        new("shakespeare-char", "nanoGPT's GPU run: 6 layers, 6 heads, 384 wide, context 256, batch 64, dropout 0.2, 5000 steps",
            LanguageModelArchitecture.Transformer,
            TrainingValues(5000, 64, 256, 1e-3, 1e-4, 100, 0.1, 250, 200),
            TransformerShape(6, 6, 384, 0.2)),
        new("names", "makemore's names: one name per line, 4 layers, 4 heads, 64 wide, 20,000 steps",
            LanguageModelArchitecture.Transformer,
            TrainingValues(20000, 32, 16, 1e-3, 1e-4, 200, 0.01, 2000, 20),
            TransformerShape(4, 4, 64, 0)),
        new("names-gru", "names with a GRU: 64-wide embedding, 256 hidden",
            LanguageModelArchitecture.Recurrent,
            TrainingValues(6000, 32, 16, 5e-3, 5e-4, 200, 0.01, 1000, 20),
            RecurrentShape(64, 256, 1, 0)),
        new("names-lstm", "names with an LSTM: 64-wide embedding, 256 hidden",
            LanguageModelArchitecture.Recurrent,
            TrainingValues(6000, 32, 16, 5e-3, 5e-4, 200, 0.01, 1000, 20),
            RecurrentShape(64, 256, 1, 0)),
    ];

    /// <summary>The preset called <paramref name="name"/> (any letter case); a usage error naming the known ones otherwise.</summary>
    public static LanguageModelPreset Get(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw LoomUsageException.ForOption("Preset", $"'{name}' is not a preset; use {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>The network an architecture gets from a preset made for the other one.</summary>
    public static JsonObject DefaultNetwork(LanguageModelArchitecture architecture) => architecture == LanguageModelArchitecture.Transformer
        ? TransformerShape(4, 4, 128, 0)
        : RecurrentShape(64, 256, 1, 0);

    /// <summary>The preset as a recipe for a family of <paramref name="architecture"/>: its training values and network shape.</summary>
    public static JsonObject For(LanguageModelPreset preset, LanguageModelArchitecture architecture) =>
        RecipeJson.Overlay(preset.Training,
            preset.Architecture == architecture ? preset.Network : DefaultNetwork(architecture));

    private static JsonObject TrainingValues(long steps, int batchSize, int context, double learningRate, double minLearningRate,
        long warmup, double weightDecay, long evalEvery, int evalBatches) => new()
        {
            ["steps"] = steps, ["batch_size"] = batchSize, ["context"] = context, ["learning_rate"] = learningRate,
            ["min_learning_rate"] = minLearningRate, ["warmup"] = warmup, ["weight_decay"] = weightDecay, ["eval_every"] = evalEvery,
            ["eval_batches"] = evalBatches,
        };

    private static JsonObject TransformerShape(int layers, int heads, int width, double dropout) => new()
    {
        ["layers"] = layers, ["heads"] = heads, ["width"] = width, ["dropout"] = dropout,
    };

    private static JsonObject RecurrentShape(int embedding, int hidden, int layers, double dropout) => new()
    {
        ["embedding"] = embedding, ["hidden"] = hidden, ["layers"] = layers, ["dropout"] = dropout,
    };
}
