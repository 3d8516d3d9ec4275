using Loom.IO.Checkpoints;
using Loom.Models;
using static TorchSharp.torch;

namespace Loom.Training.Runs;

/// <summary>The optimizer and schedule settings of a one-objective maximum-likelihood run, as its recipe resolves them.</summary>
/// <param name="Steps">Optimizer steps in all (a resumed run continues to this).</param>
/// <param name="Schedule">Learning-rate schedule after the warmup.</param>
/// <param name="Warmup">Warmup steps (capped at <paramref name="Steps"/>).</param>
/// <param name="LearningRate">Peak learning rate; the schedule decays to 5% of it.</param>
/// <param name="GradClip">Gradient-norm clip; 0 = none.</param>
/// <param name="CheckpointEvery">Save every N steps; 0 = at the end and when cancelled.</param>
public sealed record LikelihoodFitSettings(long Steps, ScheduleKind Schedule, long Warmup, double LearningRate, double GradClip,
    long CheckpointEvery);

/// <summary>
/// One network trained on one objective (a negative log-likelihood) through the shared <see cref="Trainer"/> in a
/// <see cref="RunFolder"/>: log.jsonl, checkpoints with the model card and the loss curve every
/// <see cref="LikelihoodFitSettings.CheckpointEvery"/> steps, exact resume, and the network left in eval mode.
/// </summary>
public static class LikelihoodFit
{
    /// <summary>Runs the training; returns the trainer's result (interrupted when cancelled).</summary>
    public static TrainResult Run(nn.Module network, IGenerativeModel model, ITrainingObjective objective, LikelihoodFitSettings settings,
        RunFolder folder, TrainingContext context, DataProvenance provenance, long seed, string lossTitle)
    {
        long steps = settings.Steps;
        var options = new TrainerOptions
        {
            Steps = steps, Schedule = settings.Schedule, WarmupSteps = Math.Min(settings.Warmup, steps),
            MinLearningRate = settings.LearningRate * 0.05, GradClip = settings.GradClip,
            LogEvery = Math.Clamp(steps / 200, 1, 50), CheckpointEvery = settings.CheckpointEvery,
        };
        long startStep = folder.StartStep();
        var phase = new TrainingPhase("nll", objective, network.parameters().ToList(),
            new OptimizerOptions { LearningRate = settings.LearningRate }, Model: network);
        using var trainer = new Trainer([phase], options)
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            SaveCheckpoint = t =>
            {
                var card = folder.Card([provenance], seed, new Dictionary<string, double> { ["step"] = t.Step });
                folder.Save(t, model, network, card);
                folder.WriteLossCurve(lossTitle);
            },
        };
        if (context.Resume)
            folder.Restore(network, trainer);
        network.train();
        try
        {
            return trainer.Run(context.Cancellation);
        }
        finally
        {
            network.eval();
        }
    }
}
