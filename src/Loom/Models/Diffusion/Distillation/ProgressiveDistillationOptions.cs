using Loom.Core;

namespace Loom.Models.Diffusion.Distillation;

/// <summary>
/// How a diffusion model is distilled into a few-step sampler by progressive distillation (Salimans &amp; Ho 2022): the
/// teacher checkpoint, the DDIM step count the first round starts from, how many halving rounds, and the optimizer of
/// each round. Round k's student samples in <c>StartSteps / 2^k</c> deterministic DDIM steps.
/// </summary>
public sealed class ProgressiveDistillationOptions
{
    /// <summary>The diffusion checkpoint folder to distil. Required.</summary>
    public string Teacher { get; init; } = "";
    /// <summary>Training data; null or empty: the data the teacher was trained on (its config's data name).</summary>
    public string? Data { get; init; }
    /// <summary>Points drawn when the data is a toy 2-D set.</summary>
    public int Points { get; init; } = 20000;
    /// <summary>The teacher's DDIM steps in the first round (trailing spacing); halved by every round.</summary>
    public int StartSteps { get; init; } = 64;
    /// <summary>Halving rounds: the final student samples in StartSteps / 2^Rounds steps.</summary>
    public int Rounds { get; init; } = 4;
    /// <summary>Optimizer steps per round.</summary>
    public long RoundSteps { get; init; } = 500;
    public double LearningRate { get; init; } = 1e-4;
    public int BatchSize { get; init; } = 64;
    /// <summary>EMA decay of each round's student weights (with warmup); null: the live weights are the student.</summary>
    public double? EmaDecay { get; init; }
    /// <summary>Classifier-free guidance of the teacher, distilled into the first round's student (1 = plain conditional).</summary>
    public double Guidance { get; init; } = 1.0;
    /// <summary>Probability a label is replaced by "no label", so the student keeps the unconditional model too.</summary>
    public double LabelDropout { get; init; } = 0.1;
    public long Seed { get; init; }

    public ProgressiveDistillationOptions Clone() => (ProgressiveDistillationOptions)MemberwiseClone();

    /// <summary>The student's DDIM steps after <paramref name="round"/> rounds (0 = the teacher's).</summary>
    public int StepsAfter(int round) => StartSteps >> round;

    /// <summary>Checks the options; errors name the option.</summary>
    public ProgressiveDistillationOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Teacher))
            throw LoomUsageException.ForOption(nameof(Teacher), "name the diffusion checkpoint to distil");
        if (Rounds is < 1 or > 16) throw LoomUsageException.ForOption(nameof(Rounds), $"must be from 1 to 16, got {Rounds}");
        if (StartSteps < 2) throw LoomUsageException.ForOption(nameof(StartSteps), $"must be at least 2, got {StartSteps}");
        if (StartSteps % (1 << Rounds) != 0)
            throw LoomUsageException.ForOption(nameof(StartSteps),
                $"{StartSteps} cannot be halved {Rounds} times into whole steps; use a multiple of {1 << Rounds} (e.g. 64)");
        if (RoundSteps < 1) throw LoomUsageException.ForOption(nameof(RoundSteps), $"must be at least 1, got {RoundSteps}");
        if (!(LearningRate > 0)) throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (Points < 1) throw LoomUsageException.ForOption(nameof(Points), $"must be at least 1, got {Points}");
        if (EmaDecay is { } decay && !(decay > 0 && decay < 1))
            throw LoomUsageException.ForOption(nameof(EmaDecay), $"must be in (0, 1), got {decay}");
        if (!(Guidance >= 0)) throw LoomUsageException.ForOption(nameof(Guidance), $"must be non-negative, got {Guidance}");
        if (LabelDropout is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(LabelDropout), $"must be in [0, 1), got {LabelDropout}");
        return this;
    }
}
