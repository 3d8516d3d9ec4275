using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Markov;

/// <summary>
/// Fits an n-gram model from an <see cref="NGramRecipe"/>: counts the text before the held-out tail (progress in tokens
/// counted; cancelling stops the count), reports validation perplexity and bits per token on the tail in the card, and
/// writes run.json and a sample (sample.txt). There is no resume.
/// </summary>
public static class NGramTrainingRun
{
    public static TrainingOutcome Train(NGramRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        if (context.Resume)
            throw LoomUsageException.ForOption("Resume", "an n-gram fit has no trainer state to resume; it starts over");
        var resolved = recipe.Resolve();
        var source = DataCatalog.Resolve(resolved.Data!);
        if (source.Kind != DatasetKind.Text)
            throw new LoomUsageException(
                $"data: '{source.Spec}' is {source.Kind.ToString().ToLowerInvariant()} data; an n-gram model needs text");
        var text = TextFile.Read(source.Path);
        double fraction = resolved.ValFraction!.Value;
        if (fraction is < 0 or >= 0.9)
            throw LoomUsageException.ForOption(nameof(NGramRecipe.ValFraction), $"must be in [0, 0.9), got {fraction}");
        int cut = (int)(text.Length * (1 - fraction));
        var options = resolved.ToOptions();
        var progress = new IterationProgress(context.Progress, examplesPerIteration: 1);
        using var folder = new RunFolder(context);
        var model = NGramModel.Fit(text[..cut], options, progress.Of<NGramFitProgress>(p => (p.Counted, p.Total, double.NaN)),
            context.Cancellation);
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
                var report = new ScoreReport(model.NegativeLogLikelihood(ids, context.Cancellation), ids.Length,
                    options.Level.ToString().ToLowerInvariant());
                metrics["val_nll_per_token"] = report.NllPerUnit;
                metrics["val_perplexity"] = report.Perplexity;
                metrics["val_bits_per_token"] = report.BitsPerUnit;
            }
        }
        long seed = resolved.Seed!.Value;
        folder.SaveRecipe(RecipeJson.ToJson(resolved));
        Checkpoint.Save(folder.Folder, model, folder.Card([DataProvenance.OfFile(source.Path)], seed, metrics));
        var sample = ((TextSamples)model.Sample(new SampleRequest { Count = 1, Length = 300, Seed = seed })).Texts[0];
        var samplePath = Path.Combine(folder.Folder, "sample.txt");
        AtomicFile.WriteAllText(samplePath, sample + "\n");
        return new TrainingOutcome(model, metrics, false, [samplePath]);
    }
}
