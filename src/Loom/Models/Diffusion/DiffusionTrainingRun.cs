using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// Trains a diffusion model from a <see cref="DiffusionRecipe"/> on the shared trainer: checkpoints (EMA weights as
/// the model, live weights and optimizer in the trainer state) every <c>checkpoint_every</c> steps and when cancelled,
/// exact resume with the recipe saved in run.json, log.jsonl, loss.png and a preview of samples (samples.png).
/// </summary>
public static class DiffusionTrainingRun
{
    public static TrainingOutcome Train(DiffusionRecipe recipe, TrainingContext context)
    {
        using var folder = new RunFolder(context);
        var merged = RecipeResume.WithSaved(recipe, context, DiffusionRecipe.MayChangeOnResume);
        var data = DiffusionData.Load(merged.Data ?? throw LoomUsageException.ForOption("Data", "the recipe names no data"),
            merged.Conditional ?? false, merged.Points ?? DiffusionRecipe.Defaults.Points!.Value, merged.Seed ?? 0);
        var resolved = merged.Resolve(data.Images);
        var seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        var config = context.Resume && File.Exists(Path.Combine(folder.Folder, Checkpoint.ConfigFile))
            ? DiffusionConfig.FromJson(Checkpoint.ReadConfig(folder.Folder).Config)
            : resolved.ToConfig(data);
        var options = resolved.ToTrainingOptions();
        options.Validate();
        var network = config.CreateNetwork();
        network.to(context.Device);
        var model = new DiffusionModel(config, network);
        try
        {
            long parameters = network.parameters().Sum(p => p.numel());
            context.Say($"diffusion: {config.Network} denoiser, {parameters:N0} parameters, {data.Set.Count:N0} training examples of " +
                        $"[{string.Join(", ", data.SampleShape)}]" + (config.NumClasses > 0 ? $", {config.NumClasses} classes" : "") +
                        $", device {context.Device}");
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            var (result, privacy) = Optimize(model, data, options, folder, context);
            var metrics = new Dictionary<string, double>
            {
                ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds,
                ["final_loss"] = result.LastLoss,
            };
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes) with { Privacy = privacy });
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            if (!result.Interrupted && WritePreview(model, data, folder.Folder, seed) is { Length: > 0 } preview)
                files.Add(preview);
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static (TrainResult Result, Privacy.PrivacyCard? Privacy) Optimize(DiffusionModel model, DiffusionData data,
        DiffusionTrainingOptions options, RunFolder folder, TrainingContext context)
    {
        long startStep = folder.StartStep();
        var parameters = model.Network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var objective = new DiffusionObjective(model.Network, model.Schedule, model.Config.Prediction, data.Set, options, context.Device);
        var phase = new TrainingPhase("denoise", objective, parameters,
            new OptimizerOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay }, Model: model.Network);
        double sampleRate = options.SampleRate(data.Set.Count);
        var privacy = options.Privacy is { } dp ? new PrivateTraining(dp, sampleRate, sampleRate * data.Set.Count) : null;
        string lossTitle = $"diffusion: {Predictions.Name(model.Config.Prediction)}-prediction MSE";
        using var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = options.Steps, Schedule = options.LearningRateSchedule, WarmupSteps = Math.Min(options.Warmup, options.Steps),
            GradClip = privacy is null ? options.GradClip : 0, EmaDecay = options.EmaDecay, EmaWarmup = true,
            LogEvery = options.LogEvery, CheckpointEvery = options.CheckpointEvery, Privacy = privacy,
        })
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            SaveCheckpoint = t =>
            {
                folder.Save(t, model, model.Network,
                    folder.Card([data.Provenance], options.Seed, new Dictionary<string, double> { ["step"] = t.Step },
                    t.Ema is null ? null : $"weights are the exponential moving average (decay {t.Ema.Decay})")
                    with
                    { Privacy = t.PrivacySpent });
                folder.WriteLossCurve(lossTitle);
            },
        };
        if (context.Resume)
            folder.Restore(model.Network, trainer);
        if (trainer.NoiseMultiplier is { } sigma)
            context.Say($"DP-SGD: noise multiplier {sigma:G4}, clip {options.Privacy!.MaxGradNorm:G4}, sample rate {sampleRate:G4}, "
                + $"δ {options.Privacy.Delta:G3}");
        model.Network.train();
        var result = trainer.Run(context.Cancellation);
        trainer.Ema?.SwapIn();   // the model keeps the EMA weights from here on
        model.Network.eval();
        folder.WriteLossCurve(lossTitle);
        return (result, trainer.PrivacySpent);
    }

    /// <summary>Writes samples.png: an image grid (one row per class for a conditional model) or a 2-D scatter against the data.</summary>
    public static string WritePreview(DiffusionModel model, DiffusionData? data, string outDir, long seed, int count = 64)
    {
        var path = Path.Combine(outDir, "samples.png");
        int classes = model.Config.NumClasses, perClass = 8;
        if (classes > 0) count = classes * perClass;
        IReadOnlyList<int>? labels = classes > 0 ? Enumerable.Range(0, count).Select(i => i / perClass).ToArray() : null;
        using var scope = torch.NewDisposeScope();
        var samples = model.Generate(new DiffusionRequest
        {
            Count = count, Seed = seed, Sampler = model.Config.DefaultSampler, Labels = labels,
            Guidance = labels is null ? 1 : model.Config.DefaultGuidance,
        });
        if (model.Config.Images)
            SampleGrid.Write(path, samples, columns: classes > 0 ? perClass : null);
        else if (samples.shape[1] == 2)
        {
            var sets = new List<(string, Tensor)>();
            if (data is not null)
                sets.Add(
                    ("data", data.Set.Get(Enumerable.Range(0, (int)Math.Min(2000, data.Set.Count)).Select(i => (long)i).ToArray())[0]));
            sets.Add(("samples", samples));
            Plots.Scatter(path, "diffusion samples vs data", sets);
        }
        else return "";
        return path;
    }
}
