using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Diffusion;
using Loom.Models.Language;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Models.Adapters;

/// <summary>What a fine-tuning run measured (loss before and after, parameter counts, seconds) and wrote.</summary>
public sealed record FineTuneOutcome(IReadOnlyDictionary<string, double> Metrics, bool Interrupted, IReadOnlyList<string> Files);

/// <summary>
/// Runs a <see cref="FineTuneRecipe"/>: loads the base model and fine-tunes it as its kind needs — a transformer
/// language model on text (here), a U-Net diffusion model on images (<see cref="DiffusionFineTuning"/>) — writing the
/// adapter folder (<see cref="LoraAdapterFiles"/>) or a full checkpoint, the trainer state, run.json and log.jsonl into
/// the context's output folder (<see cref="FineTuneRun"/>). With <see cref="TrainingContext.Resume"/> it continues the
/// run saved there, with the recipe saved in run.json (only Steps and CheckpointEvery may change).
/// </summary>
public static class FineTuning
{
    /// <summary>The file beside an adapter that holds the run's metrics.</summary>
    public const string MetricsFile = "finetune_metrics.json";

    public static FineTuneOutcome Run(FineTuneRecipe recipe, TrainingContext context)
    {
        recipe.Validate();
        recipe = RecipeResume.WithSaved(recipe, context, FineTuneRecipe.MayChangeOnResume);
        Seeding.SeedEverything(recipe.Seed);
        using var loaded = Checkpoint.Load(recipe.Base!, context.Device);
        return loaded switch
        {
            NeuralLanguageModel model => RunLanguageModel(recipe, context, model),
            DiffusionModel model => DiffusionFineTuning.Run(recipe, context, model),
            _ => throw new LoomUsageException(
                $"{recipe.Base} is a '{loaded.Kind}' model; fine-tuning needs a neural language model or a diffusion model"),
        };
    }

    private static FineTuneOutcome RunLanguageModel(FineTuneRecipe recipe, TrainingContext context, NeuralLanguageModel model)
    {
        var source = DataCatalog.Resolve(recipe.Data!);
        if (source.Kind != DatasetKind.Text)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Data), $"'{source.Spec}' is not text; a language model needs text");
        if (recipe.Classes is not null)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Classes), "picks Fashion-MNIST classes; a language model needs text");
        bool lines = model.Layout == SequenceLayout.Lines;
        var (corpus, _) = LanguageModelCorpus.Prepare(TextFile.Read(source.Path), model.Tokenizer, lines, recipe.Seed);
        int window = lines ? Math.Max(1, corpus.LongestLine)
            : recipe.Context ?? Math.Min(FineTuneRecipe.DefaultContext, model.Causal.MaxSequenceLength);
        if (window > model.Causal.MaxSequenceLength)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Context),
                $"{window} tokens exceed the model's context of {model.Causal.MaxSequenceLength}");
        var options = recipe.ToTrainingOptions(window);
        using var run = new FineTuneRun(recipe, context, model, model.Network);
        long total = model.Network.parameters().Sum(p => p.numel()), trained = run.Trainable.Sum(p => p.numel());
        context.Say($"{model.Kind}: {run.Describe()}, {trained:N0} of {total:N0} parameters train, {corpus.TrainTokens:N0} tokens");

        var before = ValidationLoss(model, corpus, window);
        var provenance = DataProvenance.OfFile(source.Path);
        void WriteTokenizer(string folder)
        {
            model.Tokenizer.Save(folder);
            model.DefaultSettings().Save(Path.Combine(folder, NeuralLanguageModel.GenerationFile));
        }
        var watch = Stopwatch.StartNew();
        TrainResult result;
        using (var trainer = LanguageModelTraining.CreateTrainer(model.Network, corpus, options, run.OpenLog(), context.Progress,
            saveCheckpoint: t => run.Save(t, run.Card(provenance, new Dictionary<string, double> { ["step"] = t.Step },
                RunFolder.InterruptedNote(t.Step < options.Steps, t.Step)), WriteTokenizer),
            trainable: run.Trainable))
        {
            run.Restore(trainer);
            result = trainer.Run(context.Cancellation);
        }
        var metrics = new Dictionary<string, double>
        {
            ["val_loss_before"] = before,
            ["val_loss"] = ValidationLoss(model, corpus, window),
            ["trainable_parameters"] = trained,
            ["parameters"] = total,
            ["steps"] = result.Steps,
            ["train_seconds"] = watch.Elapsed.TotalSeconds,
        };
        return run.Finish(metrics, result);
    }

    /// <summary>Exact mean validation loss (nats per token) over the whole held-out split.</summary>
    private static double ValidationLoss(NeuralLanguageModel model, LanguageModelData corpus, int window)
    {
        var (nats, tokens) = LanguageModelTraining.ExactLoss(model.Network, corpus, true, window);
        return nats / Math.Max(1, tokens);
    }
}
