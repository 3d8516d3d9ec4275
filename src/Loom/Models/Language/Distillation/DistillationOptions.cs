using Loom.Core;

namespace Loom.Models.Language.Distillation;

/// <summary>
/// How a student language model learns from a teacher's logits (Hinton et al. 2015): the loss per scored token is
/// α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE(student, data). T² keeps the soft term's gradients at
/// the scale of the hard one's as T grows.
/// </summary>
public sealed record DistillationOptions
{
    /// <summary>Weight α of the teacher term, in [0, 1]; 1 learns from the teacher alone, 0 from the data alone.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Softmax temperature T (&gt; 0) of both distributions in the teacher term.</summary>
    public double Temperature { get; init; } = 2.0;

    public void Validate()
    {
        if (!(Alpha >= 0 && Alpha <= 1))
            throw LoomUsageException.ForOption("DistillAlpha", $"must be in [0, 1], got {Alpha}");
        if (!(Temperature > 0 && double.IsFinite(Temperature)))
            throw LoomUsageException.ForOption("DistillTemperature", $"must be a finite number > 0, got {Temperature}");
    }
}
