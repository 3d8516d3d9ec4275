using System.Text.Json.Nodes;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// Registry entry for <c>wavenet</c>: rebuilds a <see cref="WaveNetModel"/> from config.json and model.safetensors and
/// trains one from a <see cref="WaveNetRecipe"/> (<see cref="WaveNetTrainingRun"/>). Presets: <c>tiny</c> (seconds, for
/// smoke tests) and <c>small</c> (the benchmark's network).
/// </summary>
public sealed class WaveNetFamily : IModelFamily, ITrainableFamily
{
    public string Kind => WaveNetModel.KindName;

    public string Summary => "WaveNet: dilated causal convolutions over 8-bit mu-law audio, exact NLL, digit-conditional, fast generation";

    public Type RecipeType => typeof(WaveNetRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["tiny"] = new() { ["residual_channels"] = 8, ["skip_channels"] = 16, ["layers_per_stack"] = 4, ["stacks"] = 1, ["steps"] = 20 },
        ["small"] = new() { ["residual_channels"] = 32, ["skip_channels"] = 64, ["layers_per_stack"] = 8, ["stacks"] = 2 },
    };

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        WaveNetTrainingRun.Train(RecipeJson.FromJson<WaveNetRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var network = new WaveNetNetwork(WaveNetConfig.FromJson(config));
        try
        {
            ModuleTensors.CopyFrom(network, state, "model.safetensors");
            network.to(device);
            network.eval();
            return new WaveNetModel(network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
