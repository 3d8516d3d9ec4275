using System.CommandLine;
using Loom.Models;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train ngram</c>: maps flags onto the n-gram recipe and fits through the registry; the card reports
/// validation perplexity on the last part of the text. Nothing here decides how a model is fitted.
/// </summary>
public static class TrainNGramCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = new Option<string?>("--data")
        {
            Description = "UTF-8 text file, or a text data set: tinyshakespeare, names, kjv (see loom data list)",
        };
        var order = new Option<int?>("--order", "-n") { Description = "n: condition on the previous n-1 tokens (default 5)" };
        var level = new Option<string?>("--level") { Description = "char | word (default char)" };
        var smoothing = new Option<string?>("--smoothing") { Description = "kneser-ney | add-k (default kneser-ney)" };
        var k = new Option<double?>("--k") { Description = "k for add-k smoothing (default 1)" };
        var discount = new Option<double?>("--discount") { Description = "Kneser-Ney discount D (default 0.75)" };
        var valFraction = new Option<double?>("--val-fraction")
        {
            Description = "Last fraction of the text held out for validation (default 0.1)",
        };
        var seed = new Option<long?>("--seed") { Description = "Seed of the sample written with the model (default 0)" };
        var shared = new CliTraining(resumable: false, anyDevice: false);
        var command = new Command("ngram", "n-gram Markov chain text model")
        {
            data, order, level, smoothing, k, discount, valFraction, seed,
        };
        foreach (var option in shared.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new RecipeFlags(parse)
                .Add("data", data).Add("order", order).Add("level", level).Add("smoothing", smoothing).Add("k", k).Add("discount", discount)
                .Add("val_fraction", valFraction).Add("seed", seed);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress("train ngram", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable("ngram").Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        yield return command;
    }
}
