using Loom.Core;

namespace Loom.Training;

/// <summary>Shape of the learning rate over training.</summary>
public enum ScheduleKind
{
    Constant,
    /// <summary>Linear warmup, then cosine decay to the minimum.</summary>
    Cosine,
    /// <summary>Linear warmup, then linear decay to the minimum.</summary>
    Linear,
}

/// <summary>Learning rate at each step: a linear ramp over the warmup steps, then constant/cosine/linear decay to
/// <c>MinLearningRate</c>.</summary>
public sealed record LearningRateSchedule(ScheduleKind Kind, double PeakLearningRate, long WarmupSteps,
    long TotalSteps, double MinLearningRate)
{
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return PeakLearningRate * (step + 1) / WarmupSteps;
        if (Kind == ScheduleKind.Constant)
            return PeakLearningRate;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        double factor = Kind == ScheduleKind.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return MinLearningRate + (PeakLearningRate - MinLearningRate) * factor;
    }

    public static ScheduleKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "linear" => ScheduleKind.Linear,
        _ => throw LoomUsageException.ForOption("Schedule", $"'{text}' is not a schedule; use constant, cosine or linear"),
    };
}
