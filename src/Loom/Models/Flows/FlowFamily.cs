using System.Text.Json.Nodes;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Registry entry for <c>flow</c>: rebuilds a <see cref="FlowModel"/> from its config and tensors and trains one from a
/// <see cref="FlowRecipe"/> (<see cref="FlowTrainingRun"/>). Presets name the architectures.
/// </summary>
public sealed class FlowFamily : IModelFamily, ITrainableFamily
{
    public string Kind => FlowModel.KindName;
    public string Summary => "Normalizing flow (RealNVP, Glow, MAF, neural spline): exact likelihood, sampling and inversion";

    public Type RecipeType => typeof(FlowRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["realnvp"] = new() { ["architecture"] = "realnvp" },
        ["glow"] = new() { ["architecture"] = "glow" },
        ["maf"] = new() { ["architecture"] = "maf", ["layers"] = 5 },
        ["spline"] = new() { ["architecture"] = "spline", ["layers"] = 4 },
    };

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        FlowTrainingRun.Train(RecipeJson.FromJson<FlowRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var model = new FlowModel(FlowConfig.FromJson(config));
        try
        {
            ModuleTensors.CopyFrom(model.Network, state, "model.safetensors");
            model.Network.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
