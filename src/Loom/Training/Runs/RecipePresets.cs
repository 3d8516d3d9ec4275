using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Training.Runs;

/// <summary>
/// A family's named presets (<see cref="ITrainableFamily.Presets"/>) as the start of a recipe: the preset's settings with
/// the caller's own laid over them, so anything the caller sets wins. <c>loom train KIND --preset NAME</c> does this for every
/// family that declares presets; a .NET caller does the same before <see cref="ITrainableFamily.Train"/>.
/// </summary>
public static class RecipePresets
{
    /// <summary><paramref name="recipe"/> laid over the settings of <paramref name="preset"/> (a new object), or
    /// <paramref name="recipe"/> itself when <paramref name="preset"/> is null.</summary>
    public static JsonObject Apply(ITrainableFamily family, string? preset, JsonObject recipe)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(recipe);
        if (preset is null) return recipe;
        if (!family.Presets.TryGetValue(preset, out var settings))
        {
            var names = string.Join(", ", family.Presets.Keys.Order(StringComparer.Ordinal));
            throw LoomUsageException.ForOption("Preset", family.Presets.Count == 0
                ? $"the {family.Kind} family has no presets" : $"'{preset}' is not a {family.Kind} preset; choose {names}");
        }
        return RecipeJson.Overlay(settings, recipe);
    }
}
