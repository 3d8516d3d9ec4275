using System.CommandLine;
using Loom.Core;
using Loom.Evaluation.Suite;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom eval SOURCE [--against SOURCE…] --data DATA --out DIR</c>: likelihood, sample-quality, diversity and
/// memorization metrics of checkpoints and sample files, side by side in metrics.json and report.html.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source")
        {
            Description =
                "Checkpoint folder, or samples: .safetensors with a 'samples' tensor, .csv rows, text lines, or .wav (a file or a folder)"
        };
        var against = new Option<string[]>("--against")
        {
            Description = "More checkpoints or sample files for the same table", AllowMultipleArgumentsPerToken = true
        };
        var data = CliOptions.Data(
            "Real data: fashion-mnist, a toy set name, a numeric CSV, a text file (the training corpus), or spoken-digits");
        var output = CliOptions.Out("Folder for metrics.json, report.html and the figures");
        var defaults = new EvaluationOptions();
        var samples = new Option<int>("--samples")
        {
            Description = "Samples to draw from each model (sample files: used up to this many)",
            DefaultValueFactory = _ => defaults.Samples
        };
        var kidSubsets = new Option<int>("--kid-subsets") { Description = "KID subsets", DefaultValueFactory = _ => defaults.KidSubsets };
        var kidSubsetSize = new Option<int>("--kid-subset-size")
        {
            Description = "Samples per KID subset", DefaultValueFactory = _ => defaults.KidSubsetSize
        };
        var copyNGram = new Option<int>("--copy-ngram")
        {
            Description = "Word n-gram length counted as a verbatim copy of the training text",
            DefaultValueFactory = _ => defaults.CopyNGram
        };
        var textSamples = new Option<int>("--text-samples")
        {
            Description = "Texts drawn from a text model", DefaultValueFactory = _ => defaults.TextSamples
        };
        var audioClips = new Option<int>("--audio-clips")
        {
            Description = "Clips drawn from an audio model (the classes in turn)", DefaultValueFactory = _ => defaults.AudioClips
        };
        var audioLength = new Option<int>("--audio-length")
        {
            Description = "Samples per drawn clip", DefaultValueFactory = _ => defaults.AudioLength
        };
        var cache = new Option<string?>("--cache")
        {
            Description = "Feature cache folder (default $LOOM_CACHE/features or ~/.cache/loom/features)"
        };
        var seed = CliOptions.Seed();
        var table = new TableEvalCliOptions();
        var command = new Command("eval",
            "Evaluate checkpoints or sample files: likelihood, FID/KID/IS, precision/recall, MMD, text diversity, memorization; "
            + "for tables SDMetrics' quality report and privacy")
        {
            source, against, data, output, samples, kidSubsets, kidSubsetSize, copyNGram, textSamples, audioClips, audioLength, cache,
            seed,
        };
        foreach (var option in table.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            if (table.Applies(parse, parse.GetValue(data)!, parse.GetValue(source)!))
                return table.Run(parse, parse.GetValue(source)!, parse.GetValue(against) ?? [], parse.GetValue(data)!,
                    parse.GetValue(output)!, parse.GetValue(seed), console);
            var options = new EvaluationOptions
            {
                Samples = parse.GetValue(samples),
                KidSubsets = parse.GetValue(kidSubsets),
                KidSubsetSize = parse.GetValue(kidSubsetSize),
                CopyNGram = parse.GetValue(copyNGram),
                TextSamples = CliOptions.Positive(parse, textSamples),
                AudioClips = CliOptions.Positive(parse, audioClips),
                AudioLength = CliOptions.Positive(parse, audioLength),
                Seed = parse.GetValue(seed),
            };
            var outDir = parse.GetValue(output)!;
            var dataSpec = parse.GetValue(data)!;
            var sources = new[] { parse.GetValue(source)! }.Concat(parse.GetValue(against) ?? []).ToList();
            foreach (var s in sources)
                if (!Directory.Exists(s) && !File.Exists(s))
                    throw new LoomDataException($"{s}: no such checkpoint folder or sample file");
            Seeding.SeedEverything(options.Seed);
            var cacheFolder = parse.GetValue(cache);
            using var progress = new ConsoleProgress("eval", Console.Error);
            int done = 0;
            var reporter = new SynchronousProgress<string>(message => progress.Report(done, sources.Count, message));
            using var evaluator = new Evaluator(dataSpec, options, cacheFolder is null ? null : new FeatureCache(cacheFolder), reporter);
            var results = new List<EvaluationResult>();
            foreach (var s in sources)
            {
                CliContext.Cancellation.ThrowIfCancellationRequested();
                results.Add(evaluator.Evaluate(s, outDir, CliContext.Cancellation));
                done++;
                progress.Report(done, sources.Count, $"{s} done");
            }
            EvaluationReport.Write(outDir, dataSpec, options, results);
            foreach (var r in results)
            {
                console.WriteLine($"{r.Name} ({r.Kind}, {r.SampleCount} samples, {r.FeatureSpace})");
                foreach (var (name, value) in r.Metrics)
                    console.WriteLine($"  {name,-28} {value}");
                foreach (var note in r.Notes)
                    console.WriteLine($"  note: {note}");
            }
            console.WriteLine(
                $"wrote {Path.Combine(outDir, EvaluationReport.MetricsFile)} and {Path.Combine(outDir, EvaluationReport.ReportFile)}");
            return 0;
        });
        return command;
    }
}
