using System.Diagnostics;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// Trains a CycleGAN from a <see cref="CycleGanRecipe"/> on the shared trainer: log.jsonl + loss.png, checkpoints (the
/// four networks as the model; the live weights, both phases' Adam moments, the RNG and the two image pools in the
/// trainer state) every <c>checkpoint_every</c> steps and when cancelled, exact resume with the recipe saved in
/// run.json, and translations.png at the end.
/// </summary>
public static class CycleGanTrainingRun
{
    /// <summary>The loss terms whose last logged value the model card keeps (as <c>final_…</c>).</summary>
    private static readonly string[] FinalTerms =
        ["generators_loss", "discriminators_loss", "generators_cycle", "generators_identity", "discriminators_d_a", "discriminators_d_b"];

    public static TrainingOutcome Train(CycleGanRecipe recipe, TrainingContext context)
    {
        var resolved = RecipeResume.WithSaved(recipe, context, CycleGanRecipe.MayChangeOnResume).Resolve();
        var options = resolved.ToTrainingOptions();
        long seed = options.Seed;
        Seeding.SeedEverything(seed);
        using var data = resolved.LoadData();
        var shape = data.ImageShape;
        var config = SavedConfig(context) ?? resolved.ToConfig(data);
        config.Validate();
        if (!config.ImageShape.SequenceEqual(shape))
            throw LoomUsageException.ForOption("Resume",
                $"{context.OutputFolder} holds a model of [{string.Join(", ", config.ImageShape)}] "
                + $"images; the data has [{string.Join(", ", shape)}]");
        int threads = torch.get_num_threads();
        if (resolved.Threads > 0 && context.Device.type == DeviceType.CPU) torch.set_num_threads(resolved.Threads.Value);
        try
        {
            var networks = new CycleGanNetworks(config);
            networks.to(context.Device);
            var model = new CycleGanModel(config, networks, context.Device);
            try
            {
                return TrainModel(model, data, resolved, options, context);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private static TrainingOutcome TrainModel(CycleGanModel model, CycleGanData data, CycleGanRecipe resolved,
        CycleGanTrainingOptions options, TrainingContext context)
    {
        var config = model.Config;
        long parameters = model.Networks.parameters().Sum(p => p.numel());
        context.Say($"cyclegan: {config.DomainA} ({data.A.Images.Count:N0} images) ↔ {config.DomainB} ({data.B.Images.Count:N0} images) "
            + $"of [{string.Join(", ", data.ImageShape)}], {parameters:N0} parameters, device {context.Device}");
        using var folder = new RunFolder(context);
        long startStep = folder.StartStep();
        folder.SaveRecipe(RecipeJson.ToJson(resolved));
        var watch = Stopwatch.StartNew();
        var result = Optimize(model, data, options, folder, startStep, context);
        var metrics = new Dictionary<string, double>
        {
            ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds,
        };
        foreach (var (key, value) in LastMetrics(folder.Folder)) metrics[key] = value;
        string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
        Checkpoint.Save(folder.Folder, model, folder.Card([data.A.Provenance, data.B.Provenance], options.Seed, metrics, notes));
        var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
        if (!result.Interrupted)
            files.Add(CycleGanPictures.WriteTranslations(model, data, folder.Folder));
        return new TrainingOutcome(model, metrics, result.Interrupted, files);
    }

    /// <summary>The config of the CycleGAN a resumed run continues (null for a new run or a folder without a checkpoint).</summary>
    private static CycleGanConfig? SavedConfig(TrainingContext context)
    {
        var folder = context.OutputFolder;
        if (!context.Resume || !File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)))
            return null;
        var (kind, json) = Checkpoint.ReadConfig(folder);
        if (kind != CycleGanModel.KindName)
            throw LoomUsageException.ForOption("Resume", $"{folder} holds a '{kind}' model, not a CycleGAN");
        return CycleGanConfig.FromJson(json);
    }

    private static TrainResult Optimize(CycleGanModel model, CycleGanData data, CycleGanTrainingOptions options,
        RunFolder folder, long startStep, TrainingContext context)
    {
        using var training = new CycleGanTraining(model.Networks, data.A.Images, data.B.Images, options, model.Device);
        using var trainer = new Trainer(training.Phases, new TrainerOptions
        {
            Steps = options.Steps, Schedule = options.LearningRateSchedule, LogEvery = options.LogEvery,
            CheckpointEvery = options.CheckpointEvery,
        })
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            SaveCheckpoint = t => Save(t, model, data, training, options.Seed, folder),
        };
        if (context.Resume)
        {
            folder.Restore(model.Networks, trainer);
            using var scope = torch.NewDisposeScope();
            training.RestoreState(Checkpoint.ReadTrainerState(folder.Folder).Tensors);
        }
        model.Networks.train();
        var result = trainer.Run(context.Cancellation);
        model.Networks.eval();
        return result;
    }

    /// <summary>A checkpoint: the networks as the model; the trainer state with the live weights and the image pools.</summary>
    private static void Save(Trainer trainer, CycleGanModel model, CycleGanData data, CycleGanTraining training, long seed,
        RunFolder folder)
    {
        using var scope = torch.NewDisposeScope();
        var pools = new Dictionary<string, Tensor>();
        training.CaptureState(pools);
        var card = folder.Card([data.A.Provenance, data.B.Provenance], seed, new Dictionary<string, double> { ["step"] = trainer.Step });
        folder.Save(trainer, model, model.Networks, card, extra: pools);
        CycleGanPictures.WriteLossCurve(folder.Folder);
    }

    /// <summary>The last logged value of each CycleGAN loss term, for the model card.</summary>
    private static IEnumerable<(string, double)> LastMetrics(string folder)
    {
        var entries = MetricsLog.ReadFile(Path.Combine(folder, Checkpoint.LogFile));
        foreach (var key in FinalTerms)
            if (entries.LastOrDefault(e => e[key] is not null) is { } last)
                yield return ("final_" + key, last[key]!.GetValue<double>());
    }
}
