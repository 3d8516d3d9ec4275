using System.Diagnostics;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Models.Adversarial;

/// <summary>
/// Trains a GAN from a <see cref="GanRecipe"/> on the shared trainer (phase "discriminator" every step, "generator"
/// every n_critic steps, each with its own learning rate): log.jsonl + loss.png, fixed-noise progress pictures every
/// <c>sample_every</c> steps, failure warnings from <see cref="GanDiagnostics"/> (through the context's messages, logged,
/// and in the card's notes), checkpoints every <c>checkpoint_every</c> steps and when cancelled (the generator's
/// average as the model when the recipe keeps one; both networks' live weights and buffers, the optimizers and the RNG
/// in the trainer state), exact resume with the recipe saved in run.json, and samples.png at the end.
/// </summary>
public static class GanTrainingRun
{
    public static TrainingOutcome Train(GanRecipe recipe, TrainingContext context)
    {
        var merged = RecipeResume.WithSaved(recipe, context, GanRecipe.MayChangeOnResume);
        var spec = merged.Data ?? throw LoomUsageException.ForOption("Data", "the recipe names no data");
        bool images = GanData.IsImageSet(spec);
        var savedConfig = SavedConfig(context);
        // A run saved without a classifier head (before the cgan preset had one, and before run.json) resumes as it started.
        if (savedConfig is { AuxClassifier: false } && merged.AuxClassifierWeight is null)
            merged = merged with { AuxClassifierWeight = 0 };
        var resolved = merged.Resolve(images);
        var options = resolved.ToTrainingOptions();
        long seed = options.Seed;
        Seeding.SeedEverything(seed);
        var data = GanData.Load(spec, resolved.Conditional!.Value, resolved.Points!.Value, seed, resolved.ClassList());
        var config = savedConfig ?? resolved.ToConfig(data);
        config.Validate();
        var generator = config.CreateGenerator();
        var discriminator = config.CreateDiscriminator();
        generator.to(context.Device);
        discriminator.to(context.Device);
        var model = new GanModel(config, generator, discriminator);
        try
        {
            long generatorParameters = generator.parameters().Sum(p => p.numel());
            long discriminatorParameters = discriminator.parameters().Sum(p => p.numel());
            string spectralNorm = config.SpectralNorm ? ", spectral norm" : "";
            string classes = config.NumClasses > 0 ? $", {config.NumClasses} classes" : "";
            context.Say($"{resolved.Preset}: {config.Network} networks, {GanLosses.Name(config.Loss)} loss{spectralNorm}, "
                + $"G {generatorParameters:N0} + D {discriminatorParameters:N0} parameters, {data.Set.Count:N0} training examples of "
                + $"[{string.Join(", ", data.SampleShape)}]{classes}, device {context.Device}");
            using var folder = new RunFolder(context);
            long startStep = folder.StartStep();
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            var (result, warnings) = Optimize(model, data, options, resolved.SampleEvery!.Value, folder, startStep, context);
            var metrics = new Dictionary<string, double>
            {
                ["generator_parameters"] = generatorParameters, ["discriminator_parameters"] = discriminatorParameters,
                ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds,
                ["warnings"] = warnings.Count,
            };
            string? interrupted = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            var notes = new[] { interrupted, GanTraining.AverageNote(options.GeneratorEma) }
                .Concat(warnings.Select(w => "warning: " + w.Message)).OfType<string>().ToList();
            var card = folder.Card([data.Provenance], seed, metrics, notes.Count > 0 ? string.Join("; ", notes) : null);
            Checkpoint.Save(folder.Folder, model, card);
            var files = new List<string> { LossCurvePath(folder) };
            if (!result.Interrupted && GanPictures.WritePreview(model, data, folder.Folder, seed) is { Length: > 0 } preview)
                files.Add(preview);
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The config of the GAN a resumed run continues (null for a new run or a folder without a checkpoint).</summary>
    private static GanConfig? SavedConfig(TrainingContext context)
    {
        var folder = context.OutputFolder;
        if (!context.Resume || !File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)))
            return null;
        var (kind, json) = Checkpoint.ReadConfig(folder);
        if (kind != GanModel.KindName)
            throw LoomUsageException.ForOption("Resume", $"{folder} holds a '{kind}' model, not a GAN");
        return GanConfig.FromJson(json);
    }

    private static (TrainResult Result, IReadOnlyList<GanWarning> Warnings) Optimize(GanModel model, GanData data,
        GanTrainingOptions options, long sampleEvery, RunFolder folder, long startStep, TrainingContext context)
    {
        var log = folder.OpenLog(startStep);
        var phases = GanTraining.CreatePhases(model, data.Set, options, context.Device);
        using var monitor = new GanTrainingMonitor(model, data, options, sampleEvery, folder.Folder, phases, log, context);
        string lossTitle = $"GAN ({GanLosses.Name(model.Config.Loss)}) losses";
        Trainer? current = null;
        using var trainer = new Trainer(phases.All, GanTraining.TrainerOptions(model, options, monitor.EvaluateEvery))
        {
            Log = log,
            Progress = context.Progress,
            Evaluate = () => monitor.Observe(current!),
            SaveCheckpoint = t =>
            {
                var step = new Dictionary<string, double> { ["step"] = t.Step };
                var card = folder.Card([data.Provenance], options.Seed, step, GanTraining.AverageNote(options.GeneratorEma));
                folder.Save(t, model, null, card, Networks(model));
                WriteLossCurve(folder, lossTitle);
            },
        };
        current = trainer;
        if (context.Resume)
            folder.Restore(null, trainer, Networks(model));
        // The MLP networks are hundreds of tiny ops per step: a second OpenMP thread costs more than it gives (far more on a busy machine).
        int threads = torch.get_num_threads();
        if (model.Config.Network == "mlp") torch.set_num_threads(1);
        try
        {
            model.Generator.train();
            model.Discriminator.train();
            var result = trainer.Run(context.Cancellation);
            trainer.Ema?.SwapIn();   // the model keeps the generator's average from here on
            return (result, monitor.Warnings);
        }
        finally
        {
            torch.set_num_threads(threads);
            model.Generator.eval();
            model.Discriminator.eval();
        }
    }

    /// <summary>
    /// Both networks with their buffers, as the trainer state holds them (<c>model.generator.</c>, <c>model.discriminator.</c>).
    /// </summary>
    private static IReadOnlyList<(TorchSharp.torch.nn.Module Module, string Prefix)> Networks(GanModel model) =>
        [(model.Generator, "model." + GanModel.GeneratorPrefix), (model.Discriminator, "model." + GanModel.DiscriminatorPrefix)];

    private static string LossCurvePath(RunFolder folder) => Path.Combine(folder.Folder, "loss.png");

    private static void WriteLossCurve(RunFolder folder, string title) =>
        GanPictures.WriteLossCurve(MetricsLog.ReadFile(Path.Combine(folder.Folder, Checkpoint.LogFile)), LossCurvePath(folder), title);
}
