using System.CommandLine;
using Loom.Core;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Samplers;

namespace Loom.Cli.Commands;

/// <summary>The diffusion sampling options shared by <c>loom sample</c>, <c>loom inpaint</c> and <c>loom img2img</c>.</summary>
public sealed class DiffusionCliOptions
{
    public Option<string?> Sampler { get; } = new("--sampler") { Description = $"Diffusion sampler: {string.Join(", ", SamplerOptions.Names)} (default: the model's)" };
    public Option<int?> Steps { get; } = new("--steps") { Description = "Diffusion sampling steps (default: the model's)" };
    public Option<double?> Guidance { get; } = new("--guidance") { Description = "Classifier-free guidance scale for --class (default: the model's)" };
    public Option<int?> Class { get; } = new("--class") { Description = "Class to generate (class-conditional models)" };
    public Option<double> Eta { get; } = new("--eta") { Description = "DDIM η (0 = deterministic)", DefaultValueFactory = _ => 0 };
    public Option<bool> Karras { get; } = new("--karras") { Description = "Karras noise levels instead of the schedule's timesteps" };
    public Option<string?> Spacing { get; } = new("--spacing") { Description = "Timestep spacing: leading | trailing | linspace (default: the model's)" };

    public IEnumerable<Option> All => [Sampler, Steps, Guidance, Class, Eta, Karras, Spacing];

    /// <summary>A request from the command line over the model's defaults, with progress on stderr.</summary>
    public DiffusionRequest Build(ParseResult parse, DiffusionModel model, int count, long seed, ConsoleProgress? progress)
    {
        var defaults = model.Config.DefaultSampler;
        var sampler = defaults with
        {
            Sampler = parse.GetValue(Sampler) ?? defaults.Sampler,
            Steps = parse.GetValue(Steps) ?? defaults.Steps,
            Eta = parse.GetValue(Eta),
            KarrasSigmas = parse.GetValue(Karras) || defaults.KarrasSigmas,
            Spacing = parse.GetValue(Spacing) is { } spacing ? SamplingPlan.ParseSpacing(spacing) : defaults.Spacing,
        };
        if (!SamplerOptions.Names.Contains(sampler.Sampler.Trim().ToLowerInvariant()))
            sampler.Create();   // throws the one-line usage error
        int? label = parse.GetValue(Class);
        if (label is { } c && (c < 0 || c >= model.Config.NumClasses))
            throw new LoomUsageException(model.Config.NumClasses == 0
                ? "--class: this model was trained without classes (train with --conditional)"
                : $"--class: {c} is out of range; this model has classes 0..{model.Config.NumClasses - 1} ({string.Join(", ", model.Config.ClassNames)})");
        return new DiffusionRequest
        {
            Count = count, Seed = seed, Sampler = sampler,
            Labels = label is { } l ? Enumerable.Repeat(l, count).ToArray() : null,
            Guidance = parse.GetValue(Guidance) ?? (label is null ? 1.0 : model.Config.DefaultGuidance),
            Progress = progress is null ? null : (done, total) => progress.Report(done, total, $"{sampler.Sampler} step"),
            Cancellation = CliContext.Cancellation,
        };
    }
}
