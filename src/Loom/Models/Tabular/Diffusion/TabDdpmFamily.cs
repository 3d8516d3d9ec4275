using System.Text.Json.Nodes;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>
/// Registry entry for <c>tabddpm</c>: rebuilds a <see cref="TabDdpmModel"/> and trains one from a <see cref="TabDdpmRecipe"/>.
/// </summary>
public sealed class TabDdpmFamily : IModelFamily, ITrainableFamily
{
    public string Kind => TabDdpmModel.KindName;
    public string Summary =>
        "TabDDPM tabular synthesizer (Kotelnikov et al. 2023): Gaussian diffusion on quantile-normalised numbers, multinomial on labels";
    public Type RecipeType => typeof(TabDdpmRecipe);

    /// <summary>None: <see cref="TabDdpmRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        TabDdpmTrainingRun.Train(RecipeJson.FromJson<TabDdpmRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device) =>
        TabDdpmModel.Load(config, state, device);
}
