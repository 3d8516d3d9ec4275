using System.Text.Json.Nodes;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>Registry entry for <c>tvae</c>: rebuilds a <see cref="TvaeModel"/> and trains one from a <see cref="TvaeRecipe"/>.</summary>
public sealed class TvaeFamily : IModelFamily, ITrainableFamily
{
    public string Kind => TvaeModel.KindName;
    public string Summary => "TVAE tabular synthesizer (Xu et al. 2019): a VAE over mode-normalised, one-hot table rows";
    public Type RecipeType => typeof(TvaeRecipe);

    /// <summary>None: <see cref="TvaeRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        TvaeTrainingRun.Train(RecipeJson.FromJson<TvaeRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device) =>
        TvaeModel.Load(config, state, device);
}
