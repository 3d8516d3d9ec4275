using System.Text.Json.Nodes;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>Registry entry for <c>ctgan</c>: rebuilds a <see cref="CtganModel"/> and trains one from a <see cref="CtganRecipe"/>.</summary>
public sealed class CtganFamily : IModelFamily, ITrainableFamily
{
    public string Kind => CtganModel.KindName;
    public string Summary =>
        "CTGAN tabular synthesizer (Xu et al. 2019): conditional WGAN-GP with PacGAN critic, training-by-sampling, "
        + "mode-specific normalisation";
    public Type RecipeType => typeof(CtganRecipe);

    /// <summary>None: <see cref="CtganRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        CtganTrainingRun.Train(RecipeJson.FromJson<CtganRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device) =>
        CtganModel.Load(config, state);
}
