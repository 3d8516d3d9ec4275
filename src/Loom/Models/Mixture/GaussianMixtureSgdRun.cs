using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>
/// <c>method: sgd</c>: a full-covariance mixture refined by minibatch AdamW on −log-likelihood through the shared
/// <see cref="Trainer"/> (k-means + one EM step as the start). Writes log.jsonl and loss.png, checkpoints every
/// <c>checkpoint_every</c> steps and when cancelled (the EMA weights as the model, the live ones in the trainer state),
/// and continues bit-for-bit when resumed.
/// </summary>
internal static class GaussianMixtureSgdRun
{
    public static (GaussianMixture Model, TrainResult Result) Fit(Tensor train, Tensor? heldOut, GaussianMixtureRecipe recipe,
        RunFolder folder, DataProvenance provenance, TrainingContext context)
    {
        var emOptions = recipe.ToOptions();
        long steps = recipe.Steps!.Value, seed = emOptions.Seed;
        using var start = GaussianMixture.Fit(train, emOptions with { MaxIter = 1, Tol = 0 });
        using var module = new MixtureDensityModule(start);
        var x = train.to(ScalarType.Float64);
        var sampler = new BatchSampler(x.shape[0], Math.Min(recipe.BatchSize!.Value, x.shape[0]), seed);
        var objective = new DelegateObjective((step, micro) =>
        {
            var batch = x.index_select(0, sampler.IndexTensorForStep(step));
            return new TrainingLoss(-module.LogProb(batch).mean(), batch.shape[0]);
        });
        var options = new TrainerOptions
        {
            Steps = steps,
            Schedule = recipe.ToSchedule(),
            WarmupSteps = recipe.Warmup!.Value,
            MinLearningRate = recipe.LearningRate!.Value * 0.1,
            EmaDecay = recipe.Ema > 0 ? recipe.Ema : null,
            EvalEvery = heldOut is null ? 0 : Math.Max(1, steps / 20),
            LogEvery = Math.Clamp(steps / 200, 1, 50),
            CheckpointEvery = recipe.CheckpointEvery!.Value,
        };
        long startStep = folder.StartStep();
        GaussianMixture Snapshot(Trainer t) =>
            module.ToGaussianMixture(new MixtureFitInfo(false, (int)t.Step, 0, 0, emOptions.RegCovar, (int)steps, 1, "sgd", seed));
        var phase = new TrainingPhase("nll", objective, module.Named.Values.ToList(),
            new OptimizerOptions { LearningRate = recipe.LearningRate!.Value });
        using var trainer = new Trainer([phase], options)
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            Evaluate = heldOut is null ? null : () =>
            {
                using var noGrad = torch.no_grad();
                return new Dictionary<string, double> { ["val_nll"] = -module.LogProb(heldOut).mean().item<double>() };
            },
            SaveCheckpoint = t =>
            {
                var card = folder.Card([provenance], seed, new Dictionary<string, double> { ["step"] = t.Step });
                folder.SaveSnapshot(t, () => Snapshot(t), module, card);
                folder.WriteLossCurve("gmm (sgd): negative log-likelihood");
            },
        };
        if (context.Resume)
            folder.Restore(module, trainer);
        var result = trainer.Run(context.Cancellation);
        trainer.Ema?.SwapIn();
        try
        {
            return (Snapshot(trainer), result);
        }
        finally
        {
            trainer.Ema?.SwapIn();
        }
    }
}
