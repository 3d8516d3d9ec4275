using Loom.Core;

namespace Loom.Models.Diffusion.Samplers;

/// <summary>Which solver and path to sample with; every option applies to every trained model. A record: copy with <c>with {
/// }</c>.</summary>
public sealed record SamplerOptions
{
    /// <summary>ddpm, ddim, dpm++2m, euler, euler-a, heun, langevin.</summary>
    public string Sampler { get; init; } = "ddim";
    public int Steps { get; init; } = 50;
    public TimestepSpacing Spacing { get; init; } = TimestepSpacing.Trailing;
    /// <summary>Karras et al.'s ρ = 7 noise levels instead of the schedule's timesteps.</summary>
    public bool KarrasSigmas { get; init; }
    /// <summary>DDIM's η (0 deterministic, 1 DDPM-like).</summary>
    public double Eta { get; init; }
    /// <summary>Langevin moves per level (sampler langevin).</summary>
    public int LangevinSteps { get; init; } = 40;
    /// <summary>Langevin target signal-to-noise ratio (sampler langevin).</summary>
    public double LangevinSnr { get; init; } = 0.16;

    public static IReadOnlyList<string> Names { get; } = ["ddpm", "ddim", "dpm++2m", "euler", "euler-a", "heun", "langevin"];

    /// <summary>A fresh sampler instance (samplers keep per-run history).</summary>
    public IDiffusionSampler Create() => Sampler.Trim().ToLowerInvariant() switch
    {
        "ddpm" => new DdpmSampler(),
        "ddim" => new DdimSampler(Eta),
        "dpm++2m" or "dpm++" or "dpmsolver++" or "dpm-solver++" => new DpmSolverPlusPlusSampler(),
        "euler" => new EulerSampler(),
        "euler-a" or "euler-ancestral" or "euler_a" => new EulerAncestralSampler(),
        "heun" => new HeunSampler(),
        "langevin" => new AnnealedLangevinSampler(LangevinSteps, LangevinSnr),
        _ => throw LoomUsageException.ForOption(nameof(Sampler), $"unknown sampler '{Sampler}' ({string.Join(", ", Names)})"),
    };

    public IReadOnlyList<NoiseLevel> Levels(NoiseSchedule schedule) => SamplingPlan.Levels(schedule, Steps, Spacing, KarrasSigmas);
}
