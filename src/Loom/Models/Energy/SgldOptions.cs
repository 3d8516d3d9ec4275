using Loom.Core;

namespace Loom.Models.Energy;

/// <summary>
/// One run of Stochastic Gradient Langevin Dynamics on an energy E: <see cref="Steps"/> updates
/// x ← x − (<see cref="StepSize"/>/2)·∇ₓE(x) + <see cref="Noise"/>·N(0, I), each clamped to [<see cref="Low"/>,
/// <see cref="High"/>] when both are set. With Noise = √StepSize the chain targets p(x) ∝ exp(−E(x)); EBM training
/// usually takes a smaller noise (Du and Mordatch 2019).
/// </summary>
public sealed record SgldOptions
{
    public int Steps { get; init; } = 40;
    public double StepSize { get; init; } = 0.01;
    public double Noise { get; init; } = 0.1;
    /// <summary>Lower clamp of every coordinate; null = none.</summary>
    public double? Low { get; init; }
    /// <summary>Upper clamp of every coordinate; null = none.</summary>
    public double? High { get; init; }

    /// <summary>Checks the values; errors name the recipe property.</summary>
    public void Validate()
    {
        if (Steps is < 0 or > 100_000)
            throw LoomUsageException.ForOption("SgldSteps", $"must be 0 to 100000, got {Steps}");
        if (!(StepSize > 0) || !double.IsFinite(StepSize))
            throw LoomUsageException.ForOption("StepSize", $"must be a positive number, got {StepSize}");
        if (!(Noise >= 0) || !double.IsFinite(Noise))
            throw LoomUsageException.ForOption("Noise", $"must be a finite number >= 0, got {Noise}");
        if (Low is { } low && High is { } high && !(low < high))
            throw new LoomDataException($"the SGLD clamp range must have low < high, got [{low}, {high}]");
    }
}
