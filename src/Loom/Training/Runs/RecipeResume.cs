using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Training.Runs;

/// <summary>
/// Resuming continues the run that was started: the recipe saved in run.json wins; what the caller sets again must
/// equal it, except the properties a family lets change on resume (typically <c>steps</c>, to train longer, and
/// <c>checkpoint_every</c>), which then replace the saved values. A property the saved recipe leaves unset (an option
/// whose absence means "none", such as a class to leave out) stays unset.
/// </summary>
public static class RecipeResume
{
    /// <summary>The recipe a resumed run uses; throws naming the first property set to a different value.</summary>
    public static JsonObject Merge(JsonObject saved, JsonObject given, IReadOnlySet<string> mayChange, string folder)
    {
        var merged = saved.DeepClone().AsObject();
        foreach (var (name, value) in given)
        {
            if (value is null)
                continue;
            if (mayChange.Contains(name))
            {
                merged[name] = value.DeepClone();
                continue;
            }
            var before = saved[name];
            if (!JsonNode.DeepEquals(before, value))
                throw LoomUsageException.ForOption(RecipeJson.OptionName(name),
                    $"the run in {folder} was started {(before is null ? "without it" : "with " + before.ToJsonString())}, " +
                    $"not {value.ToJsonString()}; a resumed run keeps its recipe " +
                    $"(may change on resume: {string.Join(", ", mayChange.Select(RecipeJson.OptionName).Order(StringComparer.Ordinal))})");
        }
        return merged;
    }

    /// <summary>
    /// The recipe a run uses: <paramref name="recipe"/> for a new run (or a folder saved before run.json existed); for a
    /// resumed one, the recipe saved in run.json merged with what may change on resume (<see cref="Merge"/>). Reads the
    /// folder without locking it, so a run can check its recipe before it writes anything.
    /// </summary>
    /// <param name="absentMeans">
    /// What a property added after a run was saved means when its run.json lacks it (the behaviour before the property
    /// existed), so a new default does not change a resumed old run.
    /// </param>
    public static T WithSaved<T>(T recipe, TrainingContext context, IReadOnlySet<string> mayChange,
        IReadOnlyDictionary<string, JsonNode>? absentMeans = null)
    {
        var saved = RunFolder.SavedRecipe(context);
        if (saved is null)
            return recipe;
        foreach (var (name, value) in absentMeans ?? new Dictionary<string, JsonNode>())
            if (!saved.ContainsKey(name))
                saved[name] = value.DeepClone();
        var merged = Merge(saved, RecipeJson.ToJson(recipe), mayChange, context.OutputFolder);
        return RecipeJson.FromJson<T>(merged, Path.Combine(context.OutputFolder, RunFolder.RecipeFile));
    }
}
