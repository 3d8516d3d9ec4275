using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Tabular.Neural;

/// <summary>The checks CTGAN's and TVAE's recipes share; errors name the recipe property (the CLI flag).</summary>
public static class NeuralRecipeChecks
{
    /// <summary>A recipe with its unset properties taken from <paramref name="defaults"/>.</summary>
    public static T Resolve<T>(T recipe, T defaults, string name) =>
        RecipeJson.FromJson<T>(RecipeJson.Overlay(RecipeJson.ToJson(defaults), RecipeJson.ToJson(recipe)), name + " recipe");

    public static void Data(string? data)
    {
        if (string.IsNullOrWhiteSpace(data)) throw LoomUsageException.ForOption("Data", "the recipe names no data");
    }

    public static void AtLeast(string property, long value, long minimum)
    {
        if (value < minimum) throw LoomUsageException.ForOption(property, $"must be at least {minimum}, got {value}");
    }

    public static void Positive(string property, double value)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw LoomUsageException.ForOption(property, $"must be a positive number, got {value}");
    }

    /// <summary>Optimizer steps of a run: <paramref name="epochs"/> passes of max(1, rows / batch) batches (CTGAN's count).</summary>
    public static long Steps(int epochs, int rows, int batch) => (long)epochs * Math.Max(1, rows / batch);
}
