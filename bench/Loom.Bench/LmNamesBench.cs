using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Language;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>lm-names [--model gpt|gru|lstm] [--steps N]</c>: the makemore names task — one name per line framed by a newline
/// delimiter, a seeded shuffle with the last 1000 names held out — trained with Loom's names preset; prints the exact
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
        var preset = LanguageModelPresets.Get(kind == "gpt" ? "names" : "names-" + kind);
        var options = preset.Training with { Steps = steps > 0 ? steps : preset.Training.Steps, Seed = 42 };
        if (args.SkipWhile(a => a != "--lr").Skip(1).FirstOrDefault() is { } lrText)
        {
            double lr = double.Parse(lrText, CultureInfo.InvariantCulture);
            options = options with { LearningRate = lr, MinLearningRate = lr / 10 };
        }
        int batch = BenchSupport.Option(args, "--batch-size", 0);
        if (batch > 0) options = options with { BatchSize = batch };
        int width = BenchSupport.Option(args, "--width", 0);
        if (width > 0 && preset.Transformer is { } tw) preset = preset with { Transformer = tw with { Width = width } };
        if (args.SkipWhile(a => a != "--dropout").Skip(1).FirstOrDefault() is { } dropText && preset.Transformer is { } td)
            preset = preset with { Transformer = td with { Dropout = double.Parse(dropText, CultureInfo.InvariantCulture) } };
        options = options with { EvalEvery = options.Steps / 4 };
        Seeding.SeedEverything(42);
        var clock = Stopwatch.StartNew();
        (double nats, long tokens) result;
        long parameters;
        if (preset.Transformer is { } t)
        {
            using var model = new DecoderTransformer(t with { VocabSize = chars.Length, ContextLength = Math.Max(t.ContextLength, data.LongestLine) }, 42);
            parameters = model.parameters().Sum(p => p.numel());
            using (var trainer = LanguageModelTraining.CreateTrainer(model, data, options)) trainer.Run();
            result = LanguageModelTraining.ExactLoss(model, data, true, data.LongestLine);
        }
        else
        {
            using var model = new RecurrentLanguageModel(preset.Recurrent! with { VocabSize = chars.Length }, 42);
            parameters = model.parameters().Sum(p => p.numel());
            using (var trainer = LanguageModelTraining.CreateTrainer(model, data, options)) trainer.Run();
            result = LanguageModelTraining.ExactLoss(model, data, true, data.LongestLine);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"names {kind}: {parameters:N0} parameters, {options.Steps} steps × batch {options.BatchSize} in {clock.Elapsed.TotalSeconds:F1} s; held-out loss {result.nats / result.tokens:F4} nats/char over {result.tokens} characters (makemore: transformer 1.92, GRU 2.00 target)"));
        return 0;
    }
}
