using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;

namespace Loom.Cli.Commands;

/// <summary><c>loom score CKPT --data FILE</c>: negative log-likelihood, perplexity and bits per unit.</summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var data = CliOptions.Data("Data in the model's format (CSV for gmm, sequences for hmm, text for ngram)");
        var device = CliOptions.Device();
        var dtype = CliOptions.Dtype();
        var adapter = AdapterCliOption.Create();
        var command = new Command("score", "Log-likelihood of data under a model (where the model has one)")
        {
            checkpoint, data, device, dtype, adapter,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            using var model = AdapterCliOption.Load(parse, parse.GetValue(checkpoint)!, adapter, device, dtype);
            if (model.GetService<ILikelihoodModel>() is not { } likelihood)
                throw new LoomUsageException($"a '{model.Kind}' model has no tractable log-likelihood to score");
            var spec = parse.GetValue(data)!;
            // A text data set name (tinyshakespeare, names, kjv) scores its file; anything else is a path as given.
            if (!File.Exists(spec) && Data.DataCatalog.Find(spec) is { Kind: Data.DatasetKind.Text })
                spec = Data.DataCatalog.Resolve(spec).Path;
            var report = likelihood.Score(spec, CliContext.Cancellation);
            output.WriteLine($"units          {report.Units} {report.Unit}s");
            output.WriteLine($"nll            {report.NllPerUnit:F6} nats/{report.Unit}");
            output.WriteLine($"perplexity     {report.Perplexity:F4}");
            output.WriteLine($"bits           {report.BitsPerUnit:F6} bits/{report.Unit}");
            if (report.Extra is not null)
                foreach (var (name, value) in report.Extra)
                    output.WriteLine($"{name,-14} {value:G6}");
            return 0;
        });
        return command;
    }
}
