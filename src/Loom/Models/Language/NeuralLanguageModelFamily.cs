using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Quantization;
using Loom.Text.Tokenizers;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>
/// A neural language-model kind in the registry (gpt, llama, lstm, gru): it loads its checkpoints, builds its network
/// from a <see cref="LanguageModelRecipe"/> and trains through <see cref="LanguageModelTrainingRun"/>. The registry
/// picks the architecture by kind; nothing else switches on the kind's name.
/// </summary>
public abstract class NeuralLanguageModelFamily : ITextModelFamily, ITrainableFamily
{
    /// <summary>Whether this kind's models give text embeddings (the transformers do; an RNN's states are not offered).</summary>
    public virtual bool Embeds => false;

    public abstract string Kind { get; }

    public abstract string Summary { get; }

    /// <summary>The network shape this kind builds; presets made for the other shape give it their training values only.</summary>
    public abstract LanguageModelArchitecture Architecture { get; }

    /// <summary>The dtypes this kind's network can train in (<see cref="LanguageModelRecipe.Precision"/>): float32, and
    /// bfloat16 where its layers run in it (the transformers; libtorch's bfloat16 recurrent kernels fail on the CPU).</summary>
    public virtual IReadOnlyList<ScalarType> TrainingPrecisions => [ScalarType.Float32];

    /// <summary>The preset line data takes when the recipe names none.</summary>
    protected abstract string LinePreset { get; }

    public Type RecipeType => typeof(LanguageModelRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets =>
        LanguageModelPresets.All.ToDictionary(p => p.Name, p => LanguageModelPresets.For(p, Architecture),
            StringComparer.OrdinalIgnoreCase);

    /// <summary>The preset a recipe that names none takes: the family's names preset for line data, nanoGPT's CPU run otherwise.</summary>
    public string DefaultPreset(bool lines) => lines ? LinePreset : LanguageModelPresets.StreamDefault;

    /// <summary>The preset called <paramref name="name"/> (any letter case): its name as listed and its recipe for this kind.</summary>
    public (string Name, JsonObject Recipe) Preset(string name)
    {
        var preset = LanguageModelPresets.Get(name);
        return (preset.Name, LanguageModelPresets.For(preset, Architecture));
    }

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        LanguageModelTrainingRun.Train(this, RecipeJson.FromJson<LanguageModelRecipe>(recipe, "recipe"), context);

    /// <summary>The untrained network of a resolved recipe seeded with <paramref name="seed"/>.</summary>
    public abstract nn.Module CreateNetwork(LanguageModelRecipe recipe, int vocabSize, int context, long seed);

    /// <summary>
    /// The network a checkpoint's <c>network</c> config describes, with its saved weights; <paramref name="quantization"/>
    /// (the config's <c>quantization</c> entry, or null) says its projection layers were saved quantized.
    /// </summary>
    protected abstract nn.Module LoadNetwork(JsonObject network, IReadOnlyDictionary<string, Tensor> state,
        QuantizationOptions? quantization);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var networkJson = config["network"] as JsonObject ?? throw new LoomDataException($"{Kind} checkpoint: config has no 'network'");
        var tokenizer = TokenizerJsonNode.Restore(config["tokenizer"] as JsonObject
            ?? throw new LoomDataException($"{Kind} checkpoint: config has no 'tokenizer'"));
        var layout = config["layout"]?.GetValue<string>() == "lines" ? SequenceLayout.Lines : SequenceLayout.Stream;
        int start = config["start_token"]?.GetValue<int>() ?? 0;
        var eos = config["eos_token_ids"] is JsonArray ids ? ids.Select(id => id!.GetValue<int>()).ToList() : null;
        var quantization = config["quantization"] is { } entry ? QuantizationOptions.FromJson(entry, $"{Kind} checkpoint") : null;
        var network = LoadNetwork(networkJson, state, quantization);
        network.to(device);
        network.eval();
        return new NeuralLanguageModel(Kind, network, tokenizer, layout, start, eos);
    }
}
