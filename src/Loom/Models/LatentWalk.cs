using Loom.Core;
using Loom.Models.Diffusion;
using Loom.Models.Latent;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// Walks the latent space of a VAE or GAN, or a diffusion model's starting noise, and decodes every point: each row goes
/// from one prior latent to another (spherical interpolation); a VAE can instead go in a straight line between the
/// posterior means of two examples, or sweep each latent dimension (<see cref="LatentWalkOptions.Traverse"/>). A diffusion
/// model samples each point with deterministic DDIM, so only the starting noise changes along a row.
/// </summary>
public static class LatentWalk
{
    /// <summary>The decoded points, rows one after another: [Rows × Steps, …] (images [n, C, H, W] or vectors [n, d]).</summary>
    public static Tensor Generate(IGenerativeModel model, LatentWalkOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        using var scope = torch.NewDisposeScope();
        Tensor grid;
        if (model.GetService<IDiffusionGenerator>() is { } diffusion)
        {
            if (options.Traverse || options.HasFrom)
                throw LoomUsageException.ForOption(options.Traverse ? nameof(options.Traverse)
                    : options.From is null ? nameof(options.FromImage) : nameof(options.From),
                    "a diffusion model has no encoder; it interpolates its starting noise");
            grid = WalkNoise(diffusion, options);
        }
        else if (model.GetService<ILatentVariableModel>() is { } latent)
        {
            int? cls = CheckClass(options.Class, latent.NumClasses);
            var from = options.From ?? (options.FromImage is { } f ? ReadExample(model, f, nameof(options.FromImage)) : null);
            var to = options.To ?? (options.ToImage is { } t ? ReadExample(model, t, nameof(options.ToImage)) : null);
            var starts = from is null ? null : Encode(model, from, cls);
            var ends = to is null ? null : Encode(model, to, cls);
            var (latents, rowOf) = options.Traverse
                ? Traversal(latent.LatentDim, Math.Min(options.Rows, latent.LatentDim), options.Steps, options.Range, starts)
                : Paths(latent.LatentDim, options.Rows, options.Steps, options.Seed, starts, ends);
            int classes = latent.NumClasses;
            var labels = classes == 0 ? null : torch.tensor(rowOf.Select(r => (long)(cls ?? r % classes)).ToArray());
            grid = latent.Decode(latents, labels);
        }
        else throw new LoomUsageException($"a '{model.Kind}' model has no latent space to walk (VAE, GAN and diffusion models do)");
        return grid.MoveToOuterDisposeScope();
    }

    private static int? CheckClass(int? cls, int classes)
    {
        if (cls is { } c && (classes == 0 || c < 0 || c >= classes))
            throw LoomUsageException.ForOption(nameof(LatentWalkOptions.Class), classes == 0 ? "this model is not class-conditional"
                : $"must be in 0..{classes - 1}, got {c}");
        return cls;
    }

    /// <summary>
    /// <paramref name="points"/> points (ends included) of the spherical interpolation between two standard-normal draws of
    /// shape <paramref name="pointShape"/>, made with generators seeded <paramref name="startSeed"/> and
    /// <paramref name="endSeed"/>: [points, …pointShape]. Prior latents of a VAE or GAN, or a diffusion model's starting noise.
    /// </summary>
    public static Tensor SphericalPath(long[] pointShape, long startSeed, long endSeed, int points)
    {
        if (points < 2) throw LoomUsageException.ForOption(nameof(LatentWalkOptions.Steps), $"needs at least 2 points, got {points}");
        using var scope = torch.NewDisposeScope();
        long[] shape = [1, .. pointShape];
        Tensor a = Prior(shape, startSeed), b = Prior(shape, endSeed);
        var path = torch.cat(Enumerable.Range(0, points).Select(i => DiffusionPipeline.Slerp(a, b, i / (points - 1.0))).ToArray(), 0);
        return path.MoveToOuterDisposeScope();
    }

    /// <summary>Rows of spherical interpolations between prior latents, or a straight line between two encodings.</summary>
    private static (Tensor Latents, int[] Rows) Paths(int dim, int rows, int columns, long seed, Tensor? start, Tensor? end)
    {
        if (start is null || end is null)
        {
            var paths = Enumerable.Range(0, rows).Select(r => SphericalPath([dim], seed + 2 * r, seed + 2 * r + 1, columns)).ToArray();
            return (torch.cat(paths, 0), Enumerable.Range(0, rows).SelectMany(r => Enumerable.Repeat(r, columns)).ToArray());
        }
        var line = Enumerable.Range(0, columns).Select(i => i / (columns - 1.0)).Select(t => (1 - t) * start + t * end).ToArray();
        return (torch.cat(line, 0), new int[columns]);
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

    /// <summary>
    /// An example image for <see cref="LatentWalkOptions.From"/> or <see cref="LatentWalkOptions.To"/> (named by
    /// <paramref name="option"/> in errors): a PNG path or <c>fashion-mnist:N</c> read at the VAE's sample shape as
    /// [1, …]. A model without an encoder is a usage error on that option.
    /// </summary>
    public static Tensor ReadExample(IGenerativeModel model, string spec, string option)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.GetService<IVariationalAutoencoder>() is { } vae)
            return IO.Images.ImageSource.Read(spec, vae.Config.SampleShape, vae.Config.Images, option);
        throw LoomUsageException.ForOption(option, model.GetService<IDiffusionGenerator>() is not null
            ? "a diffusion model has no encoder; it interpolates its starting noise"
            : $"a '{model.Kind}' model has no encoder; walk between random latents instead");
    }

    /// <summary>
    /// Walks (<see cref="Generate"/>) and writes the points to <paramref name="path"/> (<see cref="Write"/>), holding no
    /// tensor afterwards: the call for a caller that deals in files (the CLI's <c>loom interpolate</c>).
    /// </summary>
    public static void WriteFile(IGenerativeModel model, LatentWalkOptions options, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var scope = torch.NewDisposeScope();
        Write(Generate(model, options), options.Steps, path);
    }

    /// <summary>
    /// Writes a walk's points (<see cref="Generate"/>) to <paramref name="path"/>: a .csv of flattened points, or a .png —
    /// a grid with <paramref name="columns"/> images per row, or a scatter of 2-D points. Other vectors in a .png and other
    /// extensions are usage errors on <c>Out</c>.
    /// </summary>
    public static void Write(Tensor points, int columns, string path)
    {
        ArgumentNullException.ThrowIfNull(points);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".csv")
            Data.NumericCsv.Write(path, points.flatten(1));
        else if (extension != ".png")
            throw LoomUsageException.ForOption("Out", $"expected a .png or .csv file, got '{path}'");
        else if (points.dim() == 4)
            IO.Images.SampleGrid.Write(path, points, columns: columns);
        else if (points.shape[1] == 2)
            IO.Images.Plots.Scatter(path, "interpolation paths", [("points", points)]);
        else
            throw LoomUsageException.ForOption("Out", $"{points.shape[1]}-D vectors can't be drawn; write a .csv");
    }

    private static Tensor Prior(long[] shape, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.randn(shape, generator: generator);
    }

    private static Tensor Encode(IGenerativeModel model, Tensor example, int? cls)
    {
        if (model.GetService<IVariationalAutoencoder>() is not { } vae)
            throw LoomUsageException.ForOption(nameof(LatentWalkOptions.From),
                $"a '{model.Kind}' model has no encoder; walk between random latents instead");
        Tensor? labels = null;
        if (vae.NumClasses > 0)
            labels = torch.tensor(new long[]
            {
                cls ?? throw LoomUsageException.ForOption(nameof(LatentWalkOptions.Class), "a conditional VAE needs the examples' class"),
            });
        return vae.EncodeMean(example, labels);
    }

    private static Tensor WalkNoise(IDiffusionGenerator model, LatentWalkOptions options)
    {
        int classes = model.Config.NumClasses;
        int? cls = CheckClass(options.Class, classes);
        int rows = options.Rows, columns = options.Steps;
        var noise = Enumerable.Range(0, rows)
            .Select(r => SphericalPath(model.Config.SampleShape, options.Seed + 2 * r, options.Seed + 2 * r + 1, columns)).ToArray();
        int[]? labels = classes == 0 ? null : Enumerable.Range(0, rows * columns).Select(i => cls ?? i / columns % classes).ToArray();
        return model.Generate(new DiffusionRequest
        {
            Count = rows * columns, Seed = options.Seed, Sampler = model.Config.DefaultSampler with { Sampler = "ddim", Eta = 0 },
            Labels = labels, Guidance = labels is null ? 1 : model.Config.DefaultGuidance, InitialNoise = torch.cat(noise, 0),
            Cancellation = options.Cancellation,
        });
    }
}
