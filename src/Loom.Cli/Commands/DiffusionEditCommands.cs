using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Diffusion;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom inpaint CKPT --image … --mask …</c> and <c>loom img2img CKPT --image … --strength s</c>: diffusion edits of an
/// input image with any sampler. Both write a PNG grid whose first tile is the input (with the masked region grey
/// for inpainting) followed by the results.
/// </summary>
public static class DiffusionEditCommands
{
    public static IEnumerable<Command> Create() => [Create(inpaint: true), Create(inpaint: false)];

    private static Command Create(bool inpaint)
    {
        var checkpoint = CliOptions.Checkpoint();
        var image = new Option<string>("--image")
        {
            Description = "Input: a PNG of the model's size, or fashion-mnist:N (test image N)", Required = true
        };
        var mask = new Option<string>("--mask")
        {
            Description = "Region to regenerate: a PNG (white = regenerate) or top | bottom | left | right | center", Required = inpaint
        };
        var resample = new Option<int>("--resample")
        {
            Description = "RePaint resampling: repeat each step this many times (1 = off)", DefaultValueFactory = _ => 1
        };
        var strength = new Option<double>("--strength")
        {
            Description = "How far to noise the input before denoising (0..1]", DefaultValueFactory = _ => 0.6
        };
        var count = new Option<int>("--n") { Description = "Number of results", DefaultValueFactory = _ => 8 };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var output = CliOptions.Out("Output PNG grid (first tile: the input)");
        var diffusion = new DiffusionCliOptions();
        var command = inpaint
            ? new Command("inpaint", "Fill a masked region of an image with a diffusion model")
            {
                checkpoint, image, mask, resample, count, seed, device, output
            }
            : new Command("img2img", "Re-imagine an image with a diffusion model: noise it to --strength, then denoise")
            {
                checkpoint, image, strength, count, seed, device, output
            };
        foreach (var option in diffusion.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var outPath = parse.GetValue(output)!;
            DiffusionImageEdit.CheckOutput(outPath);   // before the model loads
            using var loaded = Checkpoint.Load(parse.GetValue(checkpoint)!, DeviceSelector.Parse(parse.GetValue(device)));
            if (loaded.GetService<IDiffusionGenerator>() is not { } model)
                throw new LoomUsageException(
                    $"{(inpaint ? "inpaint" : "img2img")}: needs a diffusion checkpoint; this one is '{loaded.Kind}'");
            using var progress = new ConsoleProgress(inpaint ? "inpaint" : "img2img", Console.Error);
            var request = diffusion.Build(parse, model, CliOptions.Positive(parse, count), parse.GetValue(seed), progress);
            request = inpaint
                ? request with { Resample = CliOptions.Positive(parse, resample) }
                : request with { Strength = parse.GetValue(strength) };
            DiffusionImageEdit.WriteGrid(model, request, parse.GetValue(image)!, inpaint ? parse.GetValue(mask) : null, outPath);
            console.WriteLine($"wrote {outPath}");
            return 0;
        });
        return command;
    }
}
