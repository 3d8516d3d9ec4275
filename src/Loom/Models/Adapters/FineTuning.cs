using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.Adapters;

/// <summary>What a fine-tuning run measured (validation loss before and after, parameter counts, seconds) and wrote.</summary>
public sealed record FineTuneOutcome(IReadOnlyDictionary<string, double> Metrics, bool Interrupted, IReadOnlyList<string> Files);

/// <summary>
/// Runs a <see cref="FineTuneRecipe"/>: loads the base model, tokenizes the text with the model's own tokenizer and
/// layout, measures the exact validation loss, trains on the shared trainer (a LoRA adapter on a frozen transformer, or
/// every weight with <see cref="FineTuneRecipe.Full"/>), measures again, and writes the adapter folder
/// (<see cref="LoraAdapterFiles"/>) or a full checkpoint into the context's output folder, with log.jsonl.
/// </summary>
public static class FineTuning
{
    public static FineTuneOutcome Run(FineTuneRecipe recipe, TrainingContext context)
    {
        recipe.Validate();
        var folder = context.OutputFolder;
        bool occupied = File.Exists(Path.Combine(folder, LoraConfig.FileName)) || File.Exists(Path.Combine(folder, Checkpoint.ConfigFile));
        if (occupied && !context.Overwrite)
            throw LoomUsageException.ForOption("Out", $"{folder} already holds a model or an adapter; choose another folder");
        var source = DataCatalog.Resolve(recipe.Data!);
        if (source.Kind != DatasetKind.Text)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Data), $"'{source.Spec}' is not text; a language model needs text");
        Seeding.SeedEverything(recipe.Seed);
        using var loaded = Checkpoint.Load(recipe.Base!, context.Device);
        var model = loaded as NeuralLanguageModel ?? throw new LoomUsageException(
            $"{recipe.Base} is a '{loaded.Kind}' model; fine-tuning needs a neural language model");
        LoraAdapters? adapters = null;
        if (!recipe.Full)
        {
            adapters = new LoraAdapters(LoraAdapterFiles.TransformerOf(model));
            adapters.Add(LoraAdapters.DefaultName, recipe.ToLoraConfig(), recipe.Seed);
        }
        var trainable = adapters?.Parameters(LoraAdapters.DefaultName) ?? model.Network.parameters().ToList();
        bool lines = model.Layout == SequenceLayout.Lines;
        var (corpus, _) = LanguageModelCorpus.Prepare(TextFile.Read(source.Path), model.Tokenizer, lines, recipe.Seed);
        int window = lines ? Math.Max(1, corpus.LongestLine)
            : recipe.Context ?? Math.Min(FineTuneRecipe.DefaultContext, model.Causal.MaxSequenceLength);
        if (window > model.Causal.MaxSequenceLength)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Context),
                $"{window} tokens exceed the model's context of {model.Causal.MaxSequenceLength}");
        var options = recipe.ToTrainingOptions(window);
        long total = model.Network.parameters().Sum(p => p.numel()), trained = trainable.Sum(p => p.numel());
        context.Say($"{model.Kind}: {(recipe.Full ? "full fine-tuning" : $"LoRA r={recipe.LoraRank} α={recipe.LoraAlpha} on "
            + $"{adapters!.Layers.Count} layers")}, {trained:N0} of {total:N0} parameters train, {corpus.TrainTokens:N0} tokens");

        Directory.CreateDirectory(folder);
        var before = ValidationLoss(model, corpus, window);
        File.Delete(Path.Combine(folder, Checkpoint.LogFile));
        var log = new MetricsLog(Path.Combine(folder, Checkpoint.LogFile));
        var watch = Stopwatch.StartNew();
        TrainResult result;
        using (var trainer = LanguageModelTraining.CreateTrainer(model.Network, corpus, options, log, context.Progress,
            trainable: trainable))
            result = trainer.Run(context.Cancellation);
        double seconds = watch.Elapsed.TotalSeconds;
        var metrics = new Dictionary<string, double>
        {
            ["val_loss_before"] = before,
            ["val_loss"] = ValidationLoss(model, corpus, window),
            ["trainable_parameters"] = trained,
            ["parameters"] = total,
            ["steps"] = result.Steps,
            ["train_seconds"] = seconds,
        };
        var files = new List<string> { Path.Combine(folder, Checkpoint.LogFile) };
        if (adapters is not null)
        {
            LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, folder);
            files.Add(Path.Combine(folder, LoraAdapterFiles.WeightsFile));
            files.Add(Path.Combine(folder, LoraConfig.FileName));
            var json = new JsonObject(metrics.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
            AtomicFile.WriteAllText(Path.Combine(folder, MetricsFile), json.ToJsonString() + "\n");
            files.Add(Path.Combine(folder, MetricsFile));
        }
        else
        {
            var card = new ModelCard
            {
                Kind = model.Kind, Data = [DataProvenance.OfFile(source.Path)], Seed = recipe.Seed, CommandLine = context.Origin,
                Device = context.Device.ToString(), Metrics = metrics,
                Notes = $"fully fine-tuned from {recipe.Base}" + (result.Interrupted ? $"; interrupted at step {result.Steps}" : ""),
            };
            Checkpoint.Save(folder, model, card);
            model.Tokenizer.Save(folder);
            model.DefaultSettings().Save(Path.Combine(folder, NeuralLanguageModel.GenerationFile));
            files.Add(Path.Combine(folder, Checkpoint.ModelFile));
        }
        return new FineTuneOutcome(metrics, result.Interrupted, files);
    }

    /// <summary>The file beside an adapter that holds the run's metrics.</summary>
    public const string MetricsFile = "finetune_metrics.json";

    /// <summary>Exact mean validation loss (nats per token) over the whole held-out split.</summary>
    private static double ValidationLoss(NeuralLanguageModel model, LanguageModelData corpus, int window)
    {
        var (nats, tokens) = LanguageModelTraining.ExactLoss(model.Network, corpus, true, window);
        return nats / Math.Max(1, tokens);
    }
}
