using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Language;
using Loom.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>lm-names [--model gpt|gru|lstm] [--steps N]</c>: the makemore names task — one name per line framed by a newline
/// delimiter, a seeded shuffle with the last 1000 names held out — trained with the family's names preset; prints the exact
/// held-out loss (nats per character, end token included) beside makemore's reported test losses.
/// </summary>
public static class LmNamesBench
{
    public static int Run(string[] args)
    {
        string kind = args.SkipWhile(a => a != "--model").Skip(1).FirstOrDefault() ?? "gpt";
        long steps = BenchSupport.Option(args, "--steps", 0);
        TorchRuntime.EnsureLoaded();
        var path = Loom.Data.DataCatalog.Resolve("names").Path!;
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var chars = lines.SelectMany(l => l).Append('\n').Distinct().Order().ToArray();
        var index = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var data = LanguageModelData.FromLines(lines.Select(l => l.Select(c => index[c]).ToArray()).ToList(), index['\n'], 42);
        var family = ModelRegistry.Get(kind) as NeuralLanguageModelFamily
            ?? throw new LoomUsageException($"--model: '{kind}' is not a neural language model");
        var recipe = new LanguageModelRecipe { Seed = 42, Steps = steps > 0 ? steps : null };
        if (args.SkipWhile(a => a != "--lr").Skip(1).FirstOrDefault() is { } lrText)
        {
            double lr = double.Parse(lrText, CultureInfo.InvariantCulture);
            recipe = recipe with { LearningRate = lr, MinLearningRate = lr / 10 };
        }
        int batch = BenchSupport.Option(args, "--batch-size", 0);
        if (batch > 0) recipe = recipe with { BatchSize = batch };
        bool transformer = family.Architecture == LanguageModelArchitecture.Transformer;
        int width = BenchSupport.Option(args, "--width", 0);
        if (width > 0 && transformer) recipe = recipe with { Width = width };
        if (args.SkipWhile(a => a != "--dropout").Skip(1).FirstOrDefault() is { } dropText && transformer)
            recipe = recipe with { Dropout = double.Parse(dropText, CultureInfo.InvariantCulture) };
        recipe = recipe.Resolve(family, lines: true);
        var options = recipe.ToTrainingOptions(recipe.Context!.Value);
        options = options with { EvalEvery = options.Steps / 4 };
        Seeding.SeedEverything(42);
        var clock = Stopwatch.StartNew();
        using var model = family.CreateNetwork(recipe, chars.Length, Math.Max(recipe.Context!.Value, data.LongestLine), 42);
        long parameters = model.parameters().Sum(p => p.numel());
        using (var trainer = LanguageModelTraining.CreateTrainer(model, data, options)) trainer.Run();
        (double nats, long tokens) result = LanguageModelTraining.ExactLoss(model, data, true, data.LongestLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"names {kind}: {parameters:N0} parameters, {options.Steps} steps × batch {options.BatchSize} "
                + $"in {clock.Elapsed.TotalSeconds:F1} s; held-out loss {result.nats / result.tokens:F4} nats/char over {result.tokens} "
                + $"characters (makemore: transformer 1.92, GRU 2.00 target)"));
        return 0;
    }
}
