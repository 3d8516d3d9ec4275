using System.Text.Json.Nodes;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// Registry entry for <c>pixelcnn</c>: rebuilds a <see cref="PixelCnnModel"/> from config.json and model.safetensors and
/// trains one from a <see cref="PixelCnnRecipe"/> (<see cref="PixelCnnTrainingRun"/>). Presets name the two heads.
/// </summary>
public sealed class PixelCnnFamily : IModelFamily, ITrainableFamily
{
    public string Kind => PixelCnnModel.KindName;

    public string Summary => "Gated PixelCNN: autoregressive grey images (binary or 256-way pixels), exact NLL, class-conditional";

    public Type RecipeType => typeof(PixelCnnRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["binary"] = new() { ["head"] = "binary" },
        ["byte"] = new() { ["head"] = "byte" },
    };

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        PixelCnnTrainingRun.Train(RecipeJson.FromJson<PixelCnnRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var network = new PixelCnnNetwork(PixelCnnConfig.FromJson(config));
        try
        {
            ModuleTensors.CopyFrom(network, state, "model.safetensors");
            network.to(device);
            network.eval();
            return new PixelCnnModel(network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
