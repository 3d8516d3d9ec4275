using System.CommandLine;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Markov;

namespace Loom.Cli.Commands.Train;

/// <summary><c>loom train ngram</c>: n-gram Markov chain on a UTF-8 text; reports validation perplexity on the last part of the text.</summary>
public static class TrainNGramCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = CliOptions.Data("UTF-8 text file, or a text data set: tinyshakespeare, names, kjv (see loom data list)");
        var output = CliOptions.Out("Checkpoint folder to write");
        var order = new Option<int>("--order", "-n") { Description = "n: condition on the previous n-1 tokens", DefaultValueFactory = _ => 5 };
        var level = new Option<string>("--level") { Description = "char | word", DefaultValueFactory = _ => "char" };
        var smoothing = new Option<string>("--smoothing") { Description = "kneser-ney | add-k", DefaultValueFactory = _ => "kneser-ney" };
        var k = new Option<double>("--k") { Description = "k for add-k smoothing", DefaultValueFactory = _ => 1.0 };
        var discount = new Option<double>("--discount") { Description = "Kneser-Ney discount D", DefaultValueFactory = _ => 0.75 };
        var valFraction = new Option<double>("--val-fraction") { Description = "Last fraction of the text held out for validation", DefaultValueFactory = _ => 0.1 };
        var seed = CliOptions.Seed();
        var command = new Command("ngram", "n-gram Markov chain text model") { data, output, order, level, smoothing, k, discount, valFraction, seed };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var source = DataCatalog.Resolve(parse.GetValue(data)!);
            if (source.Kind != DatasetKind.Text)
                throw new LoomUsageException($"--data: '{source.Spec}' is {source.Kind.ToString().ToLowerInvariant()} data; an n-gram model needs text");
            var path = source.Path;
            var text = TextFile.Read(path);
            double fraction = parse.GetValue(valFraction);
            if (fraction is < 0 or >= 0.9)
                throw new LoomUsageException($"--val-fraction: must be in [0, 0.9), got {fraction}");
            int cut = (int)(text.Length * (1 - fraction));
            var options = new NGramOptions
            {
                Order = parse.GetValue(order),
                Level = NGramOptions.ParseLevel(parse.GetValue(level)!),
                Smoothing = NGramOptions.ParseSmoothing(parse.GetValue(smoothing)!),
                K = parse.GetValue(k),
                Discount = parse.GetValue(discount),
            };
            var model = NGramModel.Fit(text[..cut], options);
            var metrics = new Dictionary<string, double>
            {
                ["vocabulary_size"] = model.Vocabulary.Size,
                ["training_tokens"] = model.TrainingTokens,
            };
            if (cut < text.Length)
            {
                var ids = model.Vocabulary.Encode(text[cut..]);
                if (ids.Length > 0)
                {
                    var report = new ScoreReport(model.NegativeLogLikelihood(ids, CliContext.Cancellation), ids.Length, options.Level.ToString().ToLowerInvariant());
                    metrics["val_nll_per_token"] = report.NllPerUnit;
                    metrics["val_perplexity"] = report.Perplexity;
                    metrics["val_bits_per_token"] = report.BitsPerUnit;
                }
            }
            var outDir = parse.GetValue(output)!;
            CheckpointWriter.Save(outDir, model, [DataProvenance.OfFile(path)], parse.GetValue(seed), "cpu", metrics, console);
            var sample = ((TextSamples)model.Sample(new SampleRequest { Count = 1, Length = 300, Seed = parse.GetValue(seed) })).Texts[0];
            AtomicFile.WriteAllText(Path.Combine(outDir, "sample.txt"), sample + "\n");
            console.WriteLine($"  sample                   {Path.Combine(outDir, "sample.txt")}");
            return 0;
        });
        yield return command;
    }
}
