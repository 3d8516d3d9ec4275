using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Text.Tokenizers;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Models.Language;

/// <summary>
/// Trains a neural language model of a <see cref="NeuralLanguageModelFamily"/> from a <see cref="LanguageModelRecipe"/>
/// on the shared trainer (<see cref="LanguageModelTraining"/>): checkpoints with the tokenizer every
/// <c>checkpoint_every</c> steps and when cancelled, exact resume with the recipe saved in run.json and the saved
/// tokenizer, log.jsonl and loss.png; at the end the exact validation loss in the card, tokenizer.json,
/// generation.json and a sample (sample.txt). With a <c>teacher</c> the student is distilled from it
/// (<see cref="Distillation.DistillationTeacher"/>) and the card also reports its KL to the teacher on the validation split.
/// </summary>
public static class LanguageModelTrainingRun
{
    public static TrainingOutcome Train(NeuralLanguageModelFamily family, LanguageModelRecipe recipe, TrainingContext context)
    {
        var kind = family.Kind;
        var merged = RecipeResume.WithSaved(recipe, context, LanguageModelRecipe.MayChangeOnResume);
        var source = DataCatalog.Resolve(merged.Data ?? throw LoomUsageException.ForOption("Data", "the recipe names no data"));
        if (source.Kind != DatasetKind.Text)
            throw new LoomUsageException(
                $"data: '{source.Spec}' is {source.Kind.ToString().ToLowerInvariant()} data; a language model needs text");
        var text = TextFile.Read(source.Path);
        bool lines = merged.LinesFor(source.Name);
        var resolved = merged.Resolve(family, lines);
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        var tokenizer = context.Resume
            ? LanguageModelCorpus.ReadTokenizer(context.OutputFolder, kind)
            : LanguageModelCorpus.CreateTokenizer(resolved.Tokenizer!, text);
        var (corpus, delimiter) = LanguageModelCorpus.Prepare(text, tokenizer, lines, seed);
        int modelContext = lines ? Math.Max(resolved.Context!.Value, corpus.LongestLine) : resolved.Context!.Value;
        var options = resolved.ToTrainingOptions(modelContext);
        var network = family.CreateNetwork(resolved, tokenizer.VocabSize, modelContext, seed);
        network.to(context.Device);
        TrainingPrecision.Lower(network, options.Precision);
        var model = new NeuralLanguageModel(kind, network, tokenizer, lines ? SequenceLayout.Lines : SequenceLayout.Stream, delimiter);
        NeuralLanguageModel? teacher = null;
        try
        {
            teacher = resolved.Teacher is { } teacherFolder
                ? Distillation.DistillationTeacher.Load(teacherFolder, tokenizer, modelContext, context.Device)
                : null;
            long parameters = network.parameters().Sum(p => p.numel());
            var presetName = LanguageModelPresets.Get(resolved.Preset!).Name;
            context.Say($"{kind}: {parameters:N0} parameters, vocabulary {tokenizer.VocabSize} ({tokenizer.Kind}), " +
                        $"{corpus.TrainTokens:N0} training tokens, preset {presetName}, device {context.Device}");
            var provenance = DataProvenance.OfFile(source.Path);
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            var (result, privacy) = Optimize(model, teacher?.Causal, corpus, options, folder, provenance, context);
            var metrics = FinalMetrics(model, corpus, options, folder, watch.Elapsed.TotalSeconds, parameters);
            if (teacher is not null)
                metrics["val_kl_to_teacher"] = Distillation.DistillationLoss.ExactKl(model.Network, teacher.Causal, corpus, true,
                    options.Context);
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([provenance], seed, metrics, notes) with { Privacy = privacy });
            tokenizer.Save(folder.Folder);
            model.DefaultSettings().Save(Path.Combine(folder.Folder, NeuralLanguageModel.GenerationFile));
            var sample = ((TextSamples)model.Sample(new SampleRequest { Count = 1, Length = lines ? 200 : 300, Seed = seed })).Texts[0];
            var samplePath = Path.Combine(folder.Folder, "sample.txt");
            AtomicFile.WriteAllText(samplePath, sample + "\n");
            return new TrainingOutcome(model, metrics, result.Interrupted, [Path.Combine(folder.Folder, "loss.png"), samplePath]);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            teacher?.Dispose();
        }
    }

    private static (TrainResult Result, Privacy.PrivacyCard? Privacy) Optimize(NeuralLanguageModel model, ICausalLanguageModel? teacher,
        LanguageModelData corpus, LanguageModelTrainingOptions options, RunFolder folder, DataProvenance provenance,
        TrainingContext context)
    {
        long startStep = folder.StartStep();
        string lossTitle = $"{model.Kind}: cross-entropy (nats per token)";
        var log = folder.OpenLog(startStep);
        using var trainer = LanguageModelTraining.CreateTrainer(model.Network, corpus, options, log, context.Progress, t =>
        {
            var card = folder.Card([provenance], options.Seed, new Dictionary<string, double> { ["step"] = t.Step })
                with
            { Privacy = t.PrivacySpent };
            folder.Save(t, model, model.Network, card);
            model.Tokenizer.Save(folder.Folder);
            folder.WriteLossCurve(lossTitle);
        }, teacher: teacher);
        if (context.Resume)
            folder.Restore(model.Network, trainer);
        if (trainer.NoiseMultiplier is { } sigma)
        {
            string unit = corpus.Layout == SequenceLayout.Lines ? "lines" : "windows";
            context.Say($"DP-SGD: noise multiplier {sigma:G4}, clip {options.Privacy!.MaxGradNorm:G4}, "
                + $"{corpus.PrivateExamples(options.Context):N0} examples ({unit}), δ {options.Privacy.Delta:G3}");
        }
        var result = trainer.Run(context.Cancellation);
        TrainingPrecision.Promote(model.Network, trainer);   // a bfloat16 run saves its float32 master weights
        return (result, trainer.PrivacySpent);
    }

    /// <summary>Exact validation loss over the whole held-out split, the last loss estimates, throughput.</summary>
    private static Dictionary<string, double> FinalMetrics(NeuralLanguageModel model, LanguageModelData corpus,
        LanguageModelTrainingOptions options, RunFolder folder, double seconds, long parameters)
    {
        var (nats, tokens) = LanguageModelTraining.ExactLoss(model.Network, corpus, true, options.Context);
        var metrics = new Dictionary<string, double>
        {
            ["parameters"] = parameters,
            ["val_loss"] = nats / tokens,
            ["val_perplexity"] = Math.Exp(nats / tokens),
            ["val_bits_per_token"] = nats / tokens / Math.Log(2),
            ["val_tokens"] = tokens,
            ["train_seconds"] = seconds,
        };
        var last = MetricsLog.ReadFile(Path.Combine(folder.Folder, Checkpoint.LogFile)).LastOrDefault(e => e["train_loss"] is not null);
        if (last?["train_loss"] is { } train) metrics["train_loss_estimate"] = train.GetValue<double>();
        return metrics;
    }
}
