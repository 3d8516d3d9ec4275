using System.Diagnostics;
using Loom.Core;
using Loom.Models.Diffusion;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adapters;

/// <summary>
/// Fine-tunes a U-Net diffusion model on images with the diffusion loss it was trained with (its prediction target and
/// noise schedule; min-SNR-5 weighting and label dropout 0.1 for a class-conditional model, as the image recipe trains):
/// a LoRA adapter on the frozen U-Net (<see cref="LoraNetworks.UNetDefaultTargets"/> unless the recipe names targets), or
/// every weight with <see cref="FineTuneRecipe.Full"/>. No EMA: the adapter (or checkpoint) holds the live weights.
/// Reports a fixed-seed denoising loss before and after.
/// </summary>
public static class DiffusionFineTuning
{
    /// <summary>Examples the before/after denoising loss averages over (the first ones of the data).</summary>
    public const int EvalExamples = 256;

    /// <summary>Min-SNR-γ of the fine-tuning loss on images (the image recipe's).</summary>
    public const double ImageMinSnr = 5.0;

    public static FineTuneOutcome Run(FineTuneRecipe recipe, TrainingContext context, DiffusionModel model)
    {
        if (recipe.Context is not null)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Context),
                "sets a language model's window; a diffusion model has none");
        bool conditional = model.NumClasses > 0;
        var data = DiffusionData.Load(recipe.Data!, conditional, DiffusionRecipe.Defaults.Points!.Value, recipe.Seed, recipe.ClassList(),
            allowPngFolder: true);
        if (!data.SampleShape.SequenceEqual(model.Config.SampleShape) || data.Images != model.Config.Images)
            throw LoomUsageException.ForOption(nameof(FineTuneRecipe.Data),
                $"'{recipe.Data}' holds [{string.Join(", ", data.SampleShape)}] samples but the model makes "
                + $"[{string.Join(", ", model.Config.SampleShape)}]");
        var options = new DiffusionTrainingOptions
        {
            Steps = recipe.Steps, BatchSize = recipe.BatchSize, LearningRate = recipe.EffectiveLearningRate, Warmup = recipe.Warmup,
            LearningRateSchedule = ScheduleKind.Cosine, WeightDecay = recipe.WeightDecay, EmaDecay = null,
            MinSnrGamma = data.Images ? ImageMinSnr : 0, LabelDropout = conditional ? 0.1 : 0, Seed = recipe.Seed,
            LogEvery = Math.Clamp(recipe.Steps / 200, 1, 10), CheckpointEvery = recipe.CheckpointEvery,
        };
        options.Validate();
        using var run = new FineTuneRun(recipe, context, model, model.Network);
        long total = model.Network.parameters().Sum(p => p.numel()), trained = run.Trainable.Sum(p => p.numel());
        context.Say($"{model.Kind}: {run.Describe()}, {trained:N0} of {total:N0} parameters train, {data.Set.Count:N0} images");

        double before = DenoisingLoss(model, data, recipe.Seed);
        var objective = new DiffusionObjective(model.Network, model.Schedule, model.Config.Prediction, data.Set, options, context.Device);
        var phase = new TrainingPhase("denoise", objective, run.Trainable.ToList(),
            new OptimizerOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay }, Model: model.Network);
        var watch = Stopwatch.StartNew();
        TrainResult result;
        using (var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = options.Steps, Schedule = options.LearningRateSchedule, MinLearningRate = options.LearningRate / 10,
            WarmupSteps = Math.Min(options.Warmup, options.Steps), GradClip = options.GradClip, LogEvery = options.LogEvery,
            CheckpointEvery = options.CheckpointEvery,
        })
        {
            Log = run.OpenLog(),
            Progress = context.Progress,
            SaveCheckpoint = t => run.Save(t, run.Card(data.Provenance, new Dictionary<string, double> { ["step"] = t.Step },
                RunFolder.InterruptedNote(t.Step < options.Steps, t.Step))),
        })
        {
            run.Restore(trainer);
            model.Network.train();
            result = trainer.Run(context.Cancellation);
            model.Network.eval();
        }
        var metrics = new Dictionary<string, double>
        {
            ["loss_before"] = before,
            ["loss"] = DenoisingLoss(model, data, recipe.Seed),
            ["final_train_loss"] = result.LastLoss,
            ["trainable_parameters"] = trained,
            ["parameters"] = total,
            ["steps"] = result.Steps,
            ["train_seconds"] = watch.Elapsed.TotalSeconds,
        };
        return run.Finish(metrics, result);
    }

    /// <summary>
    /// The mean squared error of the network's prediction on the first <see cref="EvalExamples"/> examples, with timesteps
    /// and noise drawn from a generator seeded by <paramref name="seed"/> (the same draws before and after, and the global
    /// random state untouched). Labels are given to a class-conditional model.
    /// </summary>
    public static double DenoisingLoss(DiffusionModel model, DiffusionData data, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool training = model.Network.training;
        model.Network.eval();
        using var generator = Seeding.Generator(seed, "finetune-eval");
        long n = Math.Min(EvalExamples, data.Set.Count);
        var batch = data.Set.Get(Enumerable.Range(0, (int)n).Select(i => (long)i).ToArray());
        var x0 = batch[0].to(ScalarType.Float32);
        var t = torch.randint(0, model.Schedule.Timesteps, [n], generator: generator, dtype: ScalarType.Int64);
        var noise = torch.randn(x0.shape, generator: generator);
        var shape = new long[] { n }.Concat(Enumerable.Repeat(1L, (int)x0.dim() - 1)).ToArray();
        var ab = torch.tensor(model.Schedule.AlphaBars, ScalarType.Float64).index_select(0, t).to(ScalarType.Float32).reshape(shape);
        var xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise;
        var target = Predictions.Target(model.Config.Prediction, x0, noise, ab);
        var device = model.Network.parameters().First().device;
        var labels = model.NumClasses > 0 ? batch[1].to(ScalarType.Int64).to(device) : null;
        var output = model.Network.Predict(xt.to(device), t.to(ScalarType.Float32).to(device), labels);
        double loss = (output.cpu() - target).square().mean().ToDouble();
        model.Network.train(training);
        return loss;
    }
}
