using Loom.Core;

namespace Loom.Training;

/// <summary>How the shared <see cref="Trainer"/> runs: length, schedule, clipping, accumulation, EMA, evaluation, early stopping,
/// logging.</summary>
public sealed record TrainerOptions
{
    public long Steps { get; init; } = 1000;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;
    public long WarmupSteps { get; init; }
    /// <summary>Learning rate at the end of a cosine/linear decay.</summary>
    public double MinLearningRate { get; init; }
    /// <summary>Clip the global gradient norm to this; 0 turns clipping off.</summary>
    public double GradClip { get; init; }
    /// <summary>Micro-batches per optimizer step; losses are divided by it.</summary>
    public int AccumulationSteps { get; init; } = 1;
    /// <summary>EMA decay for the parameters of phase <see cref="EmaPhase"/>; null turns EMA off.</summary>
    public double? EmaDecay { get; init; }
    /// <summary>
    /// The phase whose parameters the EMA follows (0 = the first; a GAN's generator is phase 1). The average is updated
    /// after each step in which that phase ran, so a phase that runs every n steps is averaged per update, not per step.
    /// </summary>
    public int EmaPhase { get; init; }
    /// <summary>Ramp the EMA decay up from 0.1 over the first steps (see <see cref="ExponentialMovingAverage.Warmup"/>).</summary>
    public bool EmaWarmup { get; init; }
    /// <summary>Run the evaluation callback every N steps (0 = never).</summary>
    public long EvalEvery { get; init; }
    /// <summary>Stop after this many evaluations without improvement (0 = never).</summary>
    public int EarlyStoppingPatience { get; init; }
    public double EarlyStoppingMinDelta { get; init; }
    /// <summary>The evaluation metric early stopping watches (lower is better).</summary>
    public string EarlyStoppingMetric { get; init; } = "val_loss";
    public long LogEvery { get; init; } = 10;
    /// <summary>Save a checkpoint every N steps (0 = only at the end and on interruption).</summary>
    public long CheckpointEvery { get; init; }
    /// <summary>Train with DP-SGD (one phase, no accumulation, no global clipping); null trains as usual.</summary>
    public PrivateTraining? Privacy { get; init; }

    public void Validate()
    {
        if (Steps < 1) throw LoomUsageException.ForOption(nameof(Steps), $"must be at least 1, got {Steps}");
        if (AccumulationSteps < 1) throw LoomUsageException.ForOption(nameof(AccumulationSteps),
            $"must be at least 1, got {AccumulationSteps}");
        if (GradClip < 0) throw LoomUsageException.ForOption(nameof(GradClip), $"must be non-negative, got {GradClip}");
        if (WarmupSteps < 0
            || WarmupSteps > Steps) throw LoomUsageException.ForOption(nameof(WarmupSteps),
                $"must be between 0 and Steps, got {WarmupSteps}");
        if (LogEvery < 1) throw LoomUsageException.ForOption(nameof(LogEvery), $"must be at least 1, got {LogEvery}");
        if (EmaDecay is { } decay
            && !(decay > 0 && decay < 1)) throw LoomUsageException.ForOption(nameof(EmaDecay), $"the decay must be in (0, 1), got {decay}");
        if (Privacy is not null)
        {
            Privacy.Validate();
            if (AccumulationSteps != 1) throw LoomUsageException.ForOption(nameof(AccumulationSteps), "DP-SGD takes one batch per step");
            if (GradClip > 0) throw LoomUsageException.ForOption(nameof(GradClip),
                "DP-SGD clips each example's gradient to MaxGradNorm; leave the global GradClip at 0");
        }
    }
}

/// <summary>
/// DP-SGD for the trainer: the privacy settings plus how the objective samples, every example joining a step's batch with
/// probability <see cref="SampleRate"/> (Poisson sampling) for <see cref="ExpectedBatchSize"/> = q·N examples on average.
/// </summary>
public sealed record PrivateTraining(Privacy.DpOptions Options, double SampleRate, double ExpectedBatchSize)
{
    public void Validate()
    {
        Options.Validate();
        if (!(SampleRate > 0 && SampleRate <= 1))
            throw LoomUsageException.ForOption(nameof(SampleRate), $"must be in (0, 1], got {SampleRate}");
        if (!(ExpectedBatchSize > 0))
            throw LoomUsageException.ForOption("BatchSize", $"the expected batch must be positive, got {ExpectedBatchSize}");
    }
}

/// <summary>How a run ended.</summary>
public sealed record TrainResult(long Steps, bool Interrupted, bool EarlyStopped, double LastLoss, double? BestMetric);

/// <summary>Progress of a training run, for a console bar or log lines.</summary>
public interface ITrainingProgress
{
    void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta);
}
