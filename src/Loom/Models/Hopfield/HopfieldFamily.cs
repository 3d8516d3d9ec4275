using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>
/// Registry entry for <c>hopfield</c>: rebuilds a <see cref="HopfieldModel"/> from its stored patterns and stores new ones.
/// </summary>
public sealed class HopfieldFamily : IModelFamily, ITrainableFamily
{
    public string Kind => HopfieldModel.KindName;
    public string Summary =>
        "Hopfield network: classical binary (Hebbian or pseudo-inverse) and modern continuous; retrieval from noisy queries";

    public Type RecipeType => typeof(HopfieldRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        HopfieldStoreRun.Train(RecipeJson.FromJson<HopfieldRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = HopfieldConfig.FromJson(config);
        if (!state.TryGetValue("patterns", out var patterns))
            throw new LoomDataException("model.safetensors: missing tensor 'patterns' for a hopfield model");
        long units = parsed.SampleShape.Aggregate(1L, (a, b) => a * b);
        if (patterns.dim() != 2 || patterns.shape[1] != units)
            throw new LoomDataException($"model.safetensors: tensor 'patterns' has shape [{string.Join(", ", patterns.shape)}], "
                + $"expected [P, {units}]");
        return new HopfieldModel(patterns, parsed);
    }
}
