using System.CommandLine;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Models.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom interpolate CKPT --out grid.png</c>: walks the latent space of a VAE or GAN (or a diffusion model's starting
/// noise). Each row goes from one prior latent to another (spherical interpolation, seeds seed+2r and seed+2r+1);
/// <c>--from/--to</c> encode two images with a VAE and interpolate their posterior means; <c>--traverse</c> sweeps each
/// latent dimension over [−range, range] around zero (or around <c>--from</c>'s encoding), one row per dimension.
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
            int columns = CliOptions.Positive(parse, steps), rowCount = CliOptions.Positive(parse, rows);
            if (columns < 2) throw new LoomUsageException($"--steps: needs at least 2 points, got {columns}");
            var target = parse.GetValue(output)!;
            var extension = Path.GetExtension(target).ToLowerInvariant();
            if (extension is not (".png" or ".csv")) throw new LoomUsageException($"--out: expected a .png or .csv file, got '{target}'");
            using var model = Checkpoint.Load(parse.GetValue(checkpoint)!, DeviceSelector.Parse(parse.GetValue(device)));
            long seedValue = parse.GetValue(seed);
            using var scope = torch.NewDisposeScope();
            Tensor grid;
            if (model.GetService<IDiffusionGenerator>() is { } diffusion)
            {
                if (parse.GetValue(traverse) || parse.GetValue(from) is not null)
                    throw new LoomUsageException("--traverse/--from: a diffusion model has no encoder; it interpolates its starting noise");
                grid = InterpolateDiffusion(diffusion, rowCount, columns, seedValue, parse.GetValue(classOption));
            }
            else if (model.GetService<ILatentVariableModel>() is { } latent)
            {
                var starts = parse.GetValue(from) is { } a ? Encode(model, a, parse.GetValue(classOption)) : null;
                var ends = parse.GetValue(to) is { } b ? Encode(model, b, parse.GetValue(classOption)) : null;
                if ((starts is null) != (ends is null) && !parse.GetValue(traverse))
                    throw new LoomUsageException("--from and --to: give both (or --from with --traverse)");
                int classes = latent.NumClasses;
                int? cls = parse.GetValue(classOption);
                if (cls is { } c && (classes == 0 || c < 0 || c >= classes))
                    throw new LoomUsageException(classes == 0 ? "--class: this model is not class-conditional"
                        : $"--class: must be in 0..{classes - 1}, got {c}");
                var (latents, rowOf) = parse.GetValue(traverse)
                    ? Traversal(latent.LatentDim, Math.Min(rowCount, latent.LatentDim), columns, parse.GetValue(range), starts)
                    : Paths(latent.LatentDim, rowCount, columns, seedValue, starts, ends);
                var labels = classes == 0 ? null : torch.tensor(rowOf.Select(r => (long)(cls ?? r % classes)).ToArray());
                grid = latent.Decode(latents, labels);
            }
            else throw new LoomUsageException(
                $"interpolate: a '{model.Kind}' model has no latent space to walk (VAE, GAN and diffusion models do)");
            Write(grid, columns, target, console);
            return 0;
        });
        return command;
    }

    /// <summary>Rows of spherical interpolations between prior latents, or a straight line between two encodings.</summary>
    private static (Tensor Latents, int[] Rows) Paths(int dim, int rows, int columns, long seed, Tensor? start, Tensor? end)
    {
        var points = new List<Tensor>();
        var rowOf = new List<int>();
        for (int r = 0; r < (start is null ? rows : 1); r++)
        {
            Tensor a = start ?? Prior(dim, seed + 2 * r), b = end ?? Prior(dim, seed + 2 * r + 1);
            for (int i = 0; i < columns; i++)
            {
                double t = i / (columns - 1.0);
                points.Add(start is null ? DiffusionPipeline.Slerp(a, b, t) : (1 - t) * a + t * b);
                rowOf.Add(r);
            }
        }
        return (torch.cat(points.ToArray(), 0), rowOf.ToArray());
    }

    /// <summary>One row per latent dimension: the base latent with that coordinate swept over [−range, range].</summary>
    private static (Tensor Latents, int[] Rows) Traversal(int dim, int rows, int columns, double range, Tensor? center)
    {
        var baseLatent = center ?? torch.zeros(1, dim);
        var values = torch.linspace(-range, range, columns);
        var points = new List<Tensor>();
        for (int r = 0; r < rows; r++)
        {
            var row = baseLatent.expand(columns, dim).clone();
            row[.., r] = values;
            points.Add(row);
        }
        return (torch.cat(points.ToArray(), 0), Enumerable.Range(0, rows).SelectMany(r => Enumerable.Repeat(r, columns)).ToArray());
    }

    private static Tensor Prior(int dim, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.randn([1, dim], generator: generator);
    }

    private static Tensor Encode(IGenerativeModel model, string spec, int? cls)
    {
        if (model.GetService<IVariationalAutoencoder>() is not { } vae)
            throw new LoomUsageException($"--from/--to: a '{model.Kind}' model has no encoder; interpolate between random latents instead");
        var image = DiffusionImageInput.ReadImage(spec, vae.Config.SampleShape, vae.Config.Images);
        Tensor? labels = null;
        if (vae.NumClasses > 0)
            labels = torch.tensor(new long[]
            {
                cls ?? throw new LoomUsageException("--from/--to: a conditional VAE needs --class for the images")
            });
        return vae.EncodeMean(image, labels);
    }

    private static Tensor InterpolateDiffusion(IDiffusionGenerator model, int rows, int columns, long seed, int? cls)
    {
        int classes = model.Config.NumClasses;
        if (cls is { } c && (classes == 0 || c < 0 || c >= classes))
            throw new LoomUsageException(classes == 0 ? "--class: this model is not class-conditional"
                : $"--class: must be in 0..{classes - 1}, got {c}");
        long[] shape = [1, .. model.Config.SampleShape];
        var noise = new List<Tensor>();
        for (int r = 0; r < rows; r++)
        {
            using var first = new torch.Generator((ulong)(seed + 2 * r));
            using var second = new torch.Generator((ulong)(seed + 2 * r + 1));
            var a = torch.randn(shape, generator: first);
            var b = torch.randn(shape, generator: second);
            for (int i = 0; i < columns; i++) noise.Add(DiffusionPipeline.Slerp(a, b, i / (columns - 1.0)));
        }
        int[]? labels = classes == 0 ? null : Enumerable.Range(0, rows * columns).Select(i => cls ?? i / columns % classes).ToArray();
        // Deterministic sampler so the only thing that changes along a row is the starting noise.
        return model.Generate(new DiffusionRequest
        {
            Count = rows * columns, Seed = seed, Sampler = model.Config.DefaultSampler with { Sampler = "ddim", Eta = 0 }, Labels = labels,
            Guidance = labels is null ? 1 : model.Config.DefaultGuidance, InitialNoise = torch.cat(noise.ToArray(), 0),
            Cancellation = CliContext.Cancellation,
        });
    }

    private static void Write(Tensor grid, int columns, string path, TextWriter console)
    {
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            NumericCsv.Write(path, grid.flatten(1));
        else if (grid.dim() == 4)
            SampleGrid.Write(path, grid, columns: columns);
        else if (grid.shape[1] == 2)
            Plots.Scatter(path, "interpolation paths", [("points", grid)]);
        else
            throw new LoomUsageException($"--out: {grid.shape[1]}-D vectors can't be drawn; write a .csv");
        console.WriteLine($"wrote {path}");
    }
}
