using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// Registry entry for <c>dbn</c>: rebuilds a <see cref="DbnModel"/> and trains one greedily (<see cref="DbnTrainingRun"/>).
/// </summary>
public sealed class DbnFamily : IModelFamily, Training.Runs.ITrainableFamily
{
    public string Kind => DbnModel.KindName;
    public string Summary => "Deep belief net: RBMs stacked greedily layer by layer; samples by Gibbs in the top RBM and a down pass";
    public Type RecipeType => typeof(DbnRecipe);
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public Training.Runs.TrainingOutcome Train(JsonObject recipe, Training.Runs.TrainingContext context) =>
        DbnTrainingRun.Train(Training.Runs.RecipeJson.FromJson<DbnRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var values = new ConfigValues(config);
        var sizes = values.Longs("sizes", 1, 1 << 24, 64).Select(s => (int)s).ToArray();
        if (sizes.Length < 2) throw new LoomDataException("config.json: a dbn needs at least two layer sizes");
        var shape = values.Longs("sample_shape", 1, 1 << 24, 3);
        var network = new DeepBeliefNet(sizes);
        try
        {
            ModuleParameters.CopyFrom(network, state, "model.safetensors");
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new DbnModel(network, sizes, shape, values.Bool("images", false), values.Int("sample_steps", 1, int.MaxValue, 1000));
    }
}
