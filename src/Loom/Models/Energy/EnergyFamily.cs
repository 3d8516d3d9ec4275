using System.Text.Json.Nodes;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// Registry entry for <c>ebm</c>: rebuilds an <see cref="EnergyModel"/> from its config and tensors and trains one from an
/// <see cref="EnergyRecipe"/> (<see cref="EnergyTrainingRun"/>). The preset <c>spectral</c> turns spectral norm on.
/// </summary>
public sealed class EnergyFamily : IModelFamily, ITrainableFamily
{
    public string Kind => EnergyModel.KindName;
    public string Summary => "Energy-based model trained by contrastive divergence with SGLD negatives from a replay buffer";

    public Type RecipeType => typeof(EnergyRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["spectral"] = new() { ["spectral_norm"] = true },
    };

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        EnergyTrainingRun.Train(RecipeJson.FromJson<EnergyRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var model = new EnergyModel(EnergyConfig.FromJson(config));
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
