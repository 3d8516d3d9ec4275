using System.Text.Json.Nodes;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Markov;

/// <summary>
/// Registry entry for <c>ngram</c>: loads a checkpoint and fits a model from an <see cref="NGramRecipe"/>
/// (<see cref="NGramTrainingRun"/>).
/// </summary>
public sealed class NGramFamily : IModelFamily, ITrainableFamily
{
    public string Kind => NGramModel.KindName;
    public string Summary => "n-gram Markov chain over characters or words (Kneser-Ney or add-k)";

    public Type RecipeType => typeof(NGramRecipe);

    /// <summary>None: <see cref="NGramRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        NGramTrainingRun.Train(RecipeJson.FromJson<NGramRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device) =>
        NGramState.FromTensors(config, state);
}
