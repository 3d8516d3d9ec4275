using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// Trains a VQ-VAE from a <see cref="VqVaeRecipe"/> on the shared trainer, in two stages (<see cref="RunStages"/>) with one
/// phase each: the autoencoder (<see cref="AutoencoderStage"/>), then the prior on the training set's codes
/// (<see cref="PriorStage"/>). Both append to log.jsonl (each entry's <c>phase</c> names its stage; steps count from 1
/// in each stage) and redraw loss.png at every checkpoint. Checkpoints every <c>checkpoint_every</c> steps of either
/// stage and when cancelled hold the whole model (weights and the codebook's EMA buffers) and the running stage's trainer
/// state, tagged with the stage under <see cref="StageKey"/>; a resumed run (recipe from run.json) reloads the model and
/// continues that stage (stage 2 re-encodes the codes first, which is deterministic). Afterwards: the model's
/// evaluation metrics, reconstructions.png and samples.png (<see cref="VqVaePreviews"/>).
/// </summary>
public static class VqVaeTrainingRun
{
    public const string AutoencoderStage = "autoencoder";
    public const string PriorStage = "prior";
    /// <summary>The trainer-state.json key naming the stage the saved trainer state belongs to.</summary>
    public const string StageKey = "vqvae_stage";

    public static TrainingOutcome Train(VqVaeRecipe recipe, TrainingContext context)
    {
        var resolved = RecipeResume.WithSaved(recipe, context, VqVaeRecipe.MayChangeOnResume).Resolve();
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        var spec = resolved.Data!;
        if (!TrainingData.IsFashionMnist(spec) && !Directory.Exists(spec))
            throw LoomDataException.ForOption("Data", $"'{spec}' is neither fashion-mnist nor a folder of PNG images");
        using var data = TrainingData.Load(spec, new DataLoadOptions
        {
            Classes = resolved.ClassList(), Relabel = true, Limit = resolved.TrainLimit!.Value, AllowPngFolder = true,
        });
        if (data.SampleShape[1] != data.SampleShape[2])
            throw LoomDataException.ForOption("Data",
                $"{spec} holds {data.SampleShape[2]}×{data.SampleShape[1]} images; the VQ-VAE needs square images");
        if (resolved.ConditionalPrior == true && data.Labels is null)
            throw LoomUsageException.ForOption("ConditionalPrior", $"'{spec}' has no class labels (only fashion-mnist has)");
        var config = resolved.ToConfig(data);
        config.Validate();
        if (context.Resume && File.Exists(Path.Combine(context.OutputFolder, Checkpoint.ConfigFile)))
            config = VqVaeConfig.FromJson(Checkpoint.ReadConfig(context.OutputFolder).Config);
        var options = resolved.ToTrainingOptions();
        var model = new VqVaeModel(config).To(context.Device);
        try
        {
            long parameters = model.Autoencoder.parameters().Sum(p => p.numel()) + model.Prior.parameters().Sum(p => p.numel());
            context.Say($"vqvae: {config.NumCodes} codes × {config.CodeDim} dims on a {config.LatentSize}×{config.LatentSize} map, "
                + $"{parameters:N0} parameters, "
                + $"{data.Count:N0} training images of {config.ImageSize}×{config.ImageSize}"
                + (config.NumClasses > 0 ? $", prior conditioned on {config.NumClasses} classes" : "") + $", device {context.Device}");
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            var (stage, result) = Optimize(model, data, options, folder, context);
            var metrics = new Dictionary<string, double>
            {
                ["parameters"] = parameters, ["train_seconds"] = watch.Elapsed.TotalSeconds,
                [$"{stage}_steps"] = result.Steps, [$"{stage}_final_loss"] = result.LastLoss,
            };
            string? notes = result.Interrupted
                ? $"interrupted (cancelled) in stage {stage} at step {result.Steps}; resuming the run continues it"
                : null;
            if (!result.Interrupted)
                foreach (var (name, value) in model.Evaluate(data.Examples, data.Labels)) metrics[name] = value;
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes));
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            if (!result.Interrupted)
            {
                files.Add(VqVaePreviews.WriteReconstructions(model, data, folder.Folder));
                files.Add(VqVaePreviews.WriteSamples(model, folder.Folder, seed));
            }
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the stages from where the run stands; returns the stage it stopped in and that stage's result.
    /// </summary>
    private static (string Stage, TrainResult Result) Optimize(VqVaeModel model, TrainingData data,
        VqVaeTrainingOptions options, RunFolder folder, TrainingContext context)
    {
        var run = new StagedRun(model, data, options, folder, context);
        var (stage, step) = run.Stages.Continue();
        long? resumeFrom = folder.Resuming ? step : null;
        if (resumeFrom is not null)
            ReloadModel(model, folder);
        if (stage == AutoencoderStage)
        {
            var first = run.Stage(AutoencoderStage, resumeFrom);
            if (first.Interrupted)
                return (AutoencoderStage, first);
            resumeFrom = null;
        }
        var second = run.Stage(PriorStage, resumeFrom);
        return (PriorStage, second);
    }

    /// <summary>
    /// The model as saved with the trainer state being resumed (weights and the codebook's buffers: the model file is
    /// the live state, so the trainer state holds no <c>model.</c> copy), checked against the checkpoint's manifest.
    /// </summary>
    private static void ReloadModel(VqVaeModel model, RunFolder folder)
    {
        Checkpoint.Verify(folder.Folder, trainerState: true);
        using var content = SafeTensorsFile.Load(Path.Combine(folder.Folder, Checkpoint.ModelFile));
        try
        {
            model.LoadState(content.Tensors, "resume");
        }
        catch (LoomDataException e)
        {
            throw new LoomDataException($"{e.Message}; {folder.Folder} holds a different model — same options and data?");
        }
    }

    /// <summary>One stage at a time on its own trainer.</summary>
    private sealed class StagedRun(VqVaeModel model, TrainingData data, VqVaeTrainingOptions options, RunFolder folder,
        TrainingContext context)
    {
        public RunStages Stages { get; } = new(folder, StageKey, [AutoencoderStage, PriorStage]);

        /// <summary>
        /// Trains <paramref name="stage"/>, continuing the saved trainer state from step <paramref name="resumeFrom"/> when
        /// resuming it (null: the stage starts now).
        /// </summary>
        public TrainResult Stage(string stage, long? resumeFrom)
        {
            bool prior = stage == PriorStage;
            Tensor? codes = null;
            ITrainingObjective objective;
            if (prior)
            {
                int size = model.Config.LatentSize;
                context.Say($"vqvae: encoding {data.Count:N0} training images into {size}×{size} code maps for the prior");
                codes = PriorCodes.Encode(model, data.Examples);
                var labels = model.Config.NumClasses > 0 ? data.Labels : null;
                objective = new PriorObjective(model.Prior, codes, labels, options.BatchSize, options.Seed, context.Device);
            }
            else objective = new AutoencoderObjective(model.Autoencoder, data.Examples, options.BatchSize, options.Seed, context.Device);
            nn.Module network = prior ? model.Prior : model.Autoencoder;
            var phase = new TrainingPhase(stage, objective, network.parameters().ToList(),
                new OptimizerOptions { LearningRate = prior ? options.PriorLearningRate : options.LearningRate });
            using var trainer = new Trainer([phase], new TrainerOptions
            {
                Steps = prior ? options.PriorSteps : options.Steps, GradClip = options.GradClip, LogEvery = options.LogEvery,
                CheckpointEvery = options.CheckpointEvery,
            })
            {
                Log = Stages.OpenLog(stage, resumeFrom ?? 0),
                Progress = context.Progress,
                SaveCheckpoint = t => Save(t, stage),
            };
            if (resumeFrom is not null)
                folder.Restore(null, trainer);
            network.train();
            try
            {
                return trainer.Run(context.Cancellation);
            }
            finally
            {
                network.eval();
                codes?.Dispose();
            }
        }

        private void Save(Trainer trainer, string stage)
        {
            var metrics = new Dictionary<string, double> { ["step"] = trainer.Step };
            var card = folder.Card([data.Provenance], options.Seed, metrics, $"stage {stage}, step {trainer.Step}");
            folder.Save(trainer, model, null, card, tags: Stages.Tag(stage));
            folder.WriteLossCurve("vqvae: autoencoder BCE + commitment, prior NLL (nats per code)");
        }
    }
}
