using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models;
using Loom.Training.Runs;

namespace Loom.Tests.Training.Runs;

/// <summary><see cref="RecipePresets"/>: a preset's settings under the caller's, typed errors naming the presets there are.</summary>
public sealed class RecipePresetsTests
{
    private static ITrainableFamily Family(string kind) => ModelRegistry.All.OfType<ITrainableFamily>().Single(f => f.Kind == kind);

    [Fact]
    public void The_callers_settings_are_laid_over_the_presets()
    {
        var rbm = Family("rbm");
        var recipe = new JsonObject { ["data"] = "bars-stripes", ["hidden"] = 8 };
        var merged = RecipePresets.Apply(rbm, "bars-stripes", recipe);
        Assert.Equal(8, merged["hidden"]!.GetValue<int>());
        Assert.Equal("bars-stripes", merged["data"]!.GetValue<string>());
        Assert.Equal(10, merged["k"]!.GetValue<int>());
        Assert.Equal("cd", merged["method"]!.GetValue<string>());
        Assert.Equal(32, rbm.Presets["bars-stripes"]["hidden"]!.GetValue<int>());   // the preset itself is untouched
        Assert.Same(recipe, RecipePresets.Apply(rbm, null, recipe));
    }

    [Fact]
    public void An_unknown_preset_names_the_ones_there_are()
    {
        var error = Assert.Throws<LoomUsageException>(() => RecipePresets.Apply(Family("rbm"), "big", new JsonObject()));
        Assert.Equal("Preset", error.Option);
        Assert.Contains("choose bars-stripes, sklearn", error.Message);
        var none = Assert.Throws<LoomUsageException>(() => RecipePresets.Apply(Family("dbn"), "big", new JsonObject()));
        Assert.Contains("has no presets", none.Message);
    }
}
