using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom interpolate CKPT --out grid.png</c>: walks the latent space of a VAE or GAN (or a diffusion model's starting
/// noise). Each row goes from one prior latent to another (spherical interpolation, seeds seed+2r and seed+2r+1);
/// <c>--from/--to</c> encode two images with a VAE and interpolate their posterior means; <c>--traverse</c> sweeps each
/// latent dimension over [−range, range] around zero (or around <c>--from</c>'s encoding), one row per dimension. The flags map
/// onto <see cref="LatentWalkOptions"/>; <see cref="LatentWalk"/> does the walk.
/// </summary>
public static class InterpolateCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var output = CliOptions.Out("Output: .png (image grid, or a scatter for 2-D vectors) or .csv");
        var steps = new Option<int>("--steps") { Description = "Points along each path (columns)", DefaultValueFactory = _ => 8 };
        var rows = new Option<int>("--rows")
        {
            Description = "Paths (rows); with --traverse, latent dimensions shown", DefaultValueFactory = _ => 4
        };
        var from = new Option<string?>("--from") { Description = "Start image for a VAE: a PNG or fashion-mnist:N (test image N)" };
        var to = new Option<string?>("--to") { Description = "End image for a VAE (with --from)" };
        var traverse = new Option<bool>("--traverse") { Description = "Sweep each latent dimension instead of interpolating" };
        var range =
            new Option<double>("--range") { Description = "Traversal range in prior standard deviations", DefaultValueFactory = _ => 3.0 };
        var classOption =
            new Option<int?>("--class") { Description = "Class for a conditional model (default: row r uses class r mod classes)" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command("interpolate",
            "Interpolate between latents (VAE, GAN, diffusion noise) or traverse latent dimensions; writes a grid")
        {
            checkpoint, output, steps, rows, from, to, traverse, range, classOption, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var target = parse.GetValue(output)!;
            var extension = Path.GetExtension(target).ToLowerInvariant();
            if (extension is not (".png" or ".csv")) throw new LoomUsageException($"--out: expected a .png or .csv file, got '{target}'");
            using var model = Checkpoint.Load(parse.GetValue(checkpoint)!, DeviceSelector.Parse(parse.GetValue(device)));
            var options = new LatentWalkOptions
            {
                Steps = CliOptions.Positive(parse, steps), Rows = CliOptions.Positive(parse, rows), Seed = parse.GetValue(seed),
                Traverse = parse.GetValue(traverse), Range = parse.GetValue(range), Class = parse.GetValue(classOption),
                FromImage = parse.GetValue(from), ToImage = parse.GetValue(to),
                Cancellation = CliContext.Cancellation,
            };
            LatentWalk.WriteFile(model, options, target);
            console.WriteLine($"wrote {target}");
            return 0;
        });
        return command;
    }
}
