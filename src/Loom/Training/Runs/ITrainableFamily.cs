using System.Text.Json.Nodes;

namespace Loom.Training.Runs;

/// <summary>
/// A model family that can train: its recipe type (the options record a run starts from, JSON round-trippable), its
/// named presets (recipes as data, like HF configs) and the run itself. Found by <see cref="Models.ModelRegistry"/>
/// together with the family's <see cref="Models.IModelFamily"/>; the CLI's <c>loom train KIND</c>, <c>--config</c>
/// files and a server all start runs through it.
/// </summary>
public interface ITrainableFamily
{
    /// <summary>The registry kind the run trains.</summary>
    string Kind { get; }

    /// <summary>The recipe record; <see cref="Train"/> takes it as JSON (property names as System.Text.Json writes them).</summary>
    Type RecipeType { get; }

    /// <summary>Named recipes (partial JSON objects laid over the recipe's defaults).</summary>
    IReadOnlyDictionary<string, JsonObject> Presets { get; }

    /// <summary>Trains (or resumes) a model from <paramref name="recipe"/>.</summary>
    TrainingOutcome Train(JsonObject recipe, TrainingContext context);
}
