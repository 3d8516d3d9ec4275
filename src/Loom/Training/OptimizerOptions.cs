using Loom.Core;

namespace Loom.Training;

/// <summary>Which update rule a phase uses.</summary>
public enum OptimizerKind
{
    AdamW,
    Sgd,
}

/// <summary>Optimizer hyperparameters (AdamW with decoupled weight decay, or SGD with momentum/Nesterov).</summary>
public sealed record OptimizerOptions
{
    public OptimizerKind Kind { get; init; } = OptimizerKind.AdamW;
    /// <summary>Peak learning rate; the schedule scales it per step.</summary>
    public double LearningRate { get; init; } = 1e-3;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public double WeightDecay { get; init; } = 0.0;
    /// <summary>Decay only parameters with two or more dimensions (weight matrices, embeddings), not biases and norm gains — nanoGPT's
    /// rule.</summary>
    public bool DecayMatricesOnly { get; init; }
    /// <summary>
    /// With <see cref="OptimizerKind.AdamW"/>: add <see cref="WeightDecay"/> × θ to the gradient before the moments (Adam's
    /// L2 penalty, <c>torch.optim.Adam(weight_decay=…)</c>, which SDV's CTGAN and TVAE use) instead of decaying θ apart
    /// from them.
    /// </summary>
    public bool CoupledWeightDecay { get; init; }
    public double Momentum { get; init; } = 0.0;
    public bool Nesterov { get; init; }

    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw LoomUsageException.ForOption(nameof(LearningRate), $"must be a positive number, got {LearningRate}");
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1)
            throw LoomUsageException.ForOption(nameof(Beta1), $"must be in [0, 1), got {Beta1}, {Beta2}");
        if (WeightDecay < 0)
            throw LoomUsageException.ForOption(nameof(WeightDecay), $"must be non-negative, got {WeightDecay}");
        if (Momentum is < 0 or >= 1)
            throw LoomUsageException.ForOption(nameof(Momentum), $"must be in [0, 1), got {Momentum}");
    }

    public static OptimizerKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "adamw" or "adam" => OptimizerKind.AdamW,
        "sgd" => OptimizerKind.Sgd,
        _ => throw LoomUsageException.ForOption("Optimizer", $"'{text}' is not an optimizer; use adamw or sgd"),
    };
}
