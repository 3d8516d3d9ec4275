using Loom.Models.Diffusion.Samplers;

namespace Loom.Models.Diffusion;

/// <summary>
/// The sampling choices a user makes for a diffusion model (a command line, an HTTP request), each over the model's own
/// default when left out: the sampler and its steps, DDIM's η, Karras noise levels, timestep spacing and the
/// classifier-free guidance scale. <see cref="ToRequest"/> makes the <see cref="DiffusionRequest"/>.
/// </summary>
public sealed record DiffusionSettings
{
    /// <summary>A sampler name of <see cref="SamplerOptions.Names"/>; null: the model's.</summary>
    public string? Sampler { get; init; }

    /// <summary>Denoising steps; null: the model's.</summary>
    public int? Steps { get; init; }

    /// <summary>Guidance scale; null: the model's default for class-conditional requests, 1 for unconditional ones.</summary>
    public double? Guidance { get; init; }

    /// <summary>DDIM's η (0 deterministic); null: the model's.</summary>
    public double? Eta { get; init; }

    /// <summary>Karras noise levels (also when the model's default sampler uses them).</summary>
    public bool Karras { get; init; }

    /// <summary>Timestep spacing; null: the model's.</summary>
    public TimestepSpacing? Spacing { get; init; }

    /// <summary>The sampler options over <paramref name="model"/>'s defaults; an unknown sampler name throws here.</summary>
    public SamplerOptions SamplerFor(IDiffusionGenerator model)
    {
        var defaults = model.Config.DefaultSampler;
        var sampler = defaults with
        {
            Sampler = Sampler ?? defaults.Sampler,
            Steps = Steps ?? defaults.Steps,
            Eta = Eta ?? defaults.Eta,
            KarrasSigmas = Karras || defaults.KarrasSigmas,
            Spacing = Spacing ?? defaults.Spacing,
        };
        sampler.Create();   // an unknown name throws the usage error here, before any work
        return sampler;
    }

    /// <summary>
    /// A request for <paramref name="count"/> samples from <paramref name="seed"/> with a class per sample
    /// (<paramref name="labels"/>, or null for unconditional samples).
    /// </summary>
    public DiffusionRequest ToRequest(IDiffusionGenerator model, int count, long seed, IReadOnlyList<int>? labels) => new()
    {
        Count = count,
        Seed = seed,
        Sampler = SamplerFor(model),
        Labels = labels,
        Guidance = Guidance ?? (labels is null ? 1.0 : model.Config.DefaultGuidance),
    };
}
