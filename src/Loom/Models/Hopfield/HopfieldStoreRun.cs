using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>
/// "Trains" a Hopfield model: stores the recipe's patterns (one shot, no optimizer, so nothing to resume), checks
/// retrieval from corrupted copies with both networks and writes the checkpoint with the scores in its card.
/// </summary>
public static class HopfieldStoreRun
{
    /// <summary>The data name of random ±1 patterns: <c>random:N</c>.</summary>
    public const string RandomPrefix = "random:";

    public static TrainingOutcome Train(HopfieldRecipe recipe, TrainingContext context)
    {
        if (context.Resume)
            throw LoomUsageException.ForOption("Resume", "a Hopfield network stores its patterns in one step; there is no run to resume");
        var resolved = recipe.Resolve();
        long seed = resolved.Seed!.Value;
        var (patterns, shape, images, provenance) = LoadPatterns(resolved);
        using var owned = patterns;
        var config = new HopfieldConfig
        {
            Rule = HopfieldRules.Parse(resolved.Rule!), Beta = resolved.Beta!.Value, Modern = resolved.Modern!.Value,
            Noise = resolved.Noise!.Value, SampleShape = shape, Images = images,
        };
        var model = new HopfieldModel(patterns, config);
        try
        {
            var (classical, modern) = HopfieldRetrieval.Measure(patterns, config.Rule, config.Beta, config.Noise, seed);
            var metrics = new Dictionary<string, double>
            {
                ["patterns"] = patterns.shape[0], ["units"] = patterns.shape[1],
                ["classical_exact_fraction"] = classical.ExactFraction, ["classical_overlap"] = classical.MeanOverlap,
                ["modern_exact_fraction"] = modern.ExactFraction, ["modern_overlap"] = modern.MeanOverlap,
            };
            context.Say($"hopfield: {patterns.shape[0]} patterns of {patterns.shape[1]} units; from {config.Noise:P0} noise the classical "
                + $"({HopfieldRules.Name(config.Rule)}) network recovers {classical.ExactFraction:P0}, the modern (β={config.Beta:G3}) "
                + $"{modern.ExactFraction:P0}");
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            Checkpoint.Save(folder.Folder, model, folder.Card([provenance], seed, metrics));
            return new TrainingOutcome(model, metrics, false, []);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static (Tensor Patterns, long[] Shape, bool Images, DataProvenance Provenance) LoadPatterns(HopfieldRecipe recipe)
    {
        var spec = recipe.Data!.Trim();
        int count = recipe.Patterns!.Value;
        if (spec.StartsWith(RandomPrefix, StringComparison.OrdinalIgnoreCase) && !File.Exists(spec))
        {
            if (!int.TryParse(spec[RandomPrefix.Length..], out int units) || units < 2)
                throw LoomUsageException.ForOption("Data", $"'{spec}': random patterns need a unit count, e.g. random:100");
            var random = HopfieldPatterns.Random(count, units, recipe.Seed!.Value);
            return (random, [units], false, new DataProvenance($"{spec} patterns={count} seed={recipe.Seed}", null, 0));
        }
        using var data = TrainingData.Load(spec, new DataLoadOptions { Limit = TrainingData.IsFashionMnist(spec) ? count : 0 });
        if (data.Count < count)
            throw LoomDataException.ForOption("Patterns", $"{spec} has {data.Count} rows, fewer than the {count} patterns asked for");
        using var rows = data.Examples.narrow(0, 0, count);
        var patterns = HopfieldPatterns.Bipolar(rows, data.Images ? 0.5 : recipe.Threshold!.Value);
        return (patterns, data.SampleShape, data.Images, data.Provenance);
    }
}
