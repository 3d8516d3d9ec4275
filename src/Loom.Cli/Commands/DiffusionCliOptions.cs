using System.CommandLine;
using Loom.Core;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Samplers;

namespace Loom.Cli.Commands;

/// <summary>The diffusion sampling options shared by <c>loom sample</c>, <c>loom inpaint</c> and <c>loom img2img</c>.</summary>
public sealed class DiffusionCliOptions
{
    public Option<string?> Sampler { get; } =
        new("--sampler") { Description = $"Diffusion sampler: {string.Join(", ", SamplerOptions.Names)} (default: the model's)" };
    public Option<int?> Steps { get; } =
        new("--steps") { Description = "Sampling steps: diffusion steps, or SGLD steps for an ebm (default: the model's)" };
    public Option<double?> Guidance { get; } =
        new("--guidance") { Description = "Classifier-free guidance scale for --class (default: the model's)" };
    public Option<string?> Class { get; } =
        new("--class") { Description = "Class to generate (class-conditional models): an index, or 'all' to cycle through every class" };
    public Option<double> Eta { get; } = new("--eta") { Description = "DDIM η (0 = deterministic)", DefaultValueFactory = _ => 0 };
    public Option<bool> Karras { get; } = new("--karras") { Description = "Karras noise levels instead of the schedule's timesteps" };
    public Option<string?> Spacing { get; } =
        new("--spacing") { Description = "Timestep spacing: leading | trailing | linspace (default: the model's)" };

    public Option<int?> Interpolate { get; } = new("--interpolate")
    {
        Description =
        "Latent interpolation: N samples along a slerp between the noise of --seed and --seed+1 (deterministic sampler advised)"
    };

    public IEnumerable<Option> All => [Sampler, Steps, Guidance, Class, Eta, Karras, Spacing, Interpolate];

    /// <summary>A request from the command line over the model's defaults, with progress on stderr.</summary>
    public DiffusionRequest Build(ParseResult parse, IDiffusionGenerator model, int count, long seed, ConsoleProgress? progress)
    {
        var settings = new DiffusionSettings
        {
            Sampler = parse.GetValue(Sampler),
            Steps = parse.GetValue(Steps),
            Guidance = parse.GetValue(Guidance),
            Eta = parse.GetValue(Eta),
            Karras = parse.GetValue(Karras),
            Spacing = parse.GetValue(Spacing) is { } spacing ? SamplingPlan.ParseSpacing(spacing) : null,
        };
        var sampler = settings.SamplerFor(model);   // an unknown name fails before the other checks
        int? interpolate = parse.GetValue(Interpolate);
        if (interpolate is { } points)
        {
            if (points < 2) throw new LoomUsageException($"--interpolate: needs at least 2 points, got {points}");
            count = points;
        }
        return settings.ToRequest(model, count, seed, Labels(parse.GetValue(Class), model, count)) with
        {
            Progress = progress is null ? null : (done, total) => progress.Report(done, total, $"{sampler.Sampler} step"),
            Cancellation = CliContext.Cancellation,
            InitialNoise = interpolate is null ? null : LatentWalk.SphericalPath(model.Config.SampleShape, seed, seed + 1, count),
        };
    }

    private static int[]? Labels(string? spec, IDiffusionGenerator model, int count)
    {
        if (spec is null) return null;
        int classes = model.Config.NumClasses;
        if (classes == 0)
            throw new LoomUsageException("--class: this model was trained without classes (train with --conditional)");
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        if (!int.TryParse(spec, out int c) || c < 0 || c >= classes)
            throw new LoomUsageException($"--class: '{spec}' is not a class; this model has classes 0..{classes - 1} "
                + $"({string.Join(", ", model.Config.ClassNames)}) or 'all'");
        return Enumerable.Repeat(c, count).ToArray();
    }
}
