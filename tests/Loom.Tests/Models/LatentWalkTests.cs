using Loom.Core;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Samplers;
using Loom.Models.Latent;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models;

/// <summary>
/// <see cref="LatentWalk"/> through the library: the grid's size, rows that start and end at the seeded prior latents,
/// straight lines between two encodings, traversals that move one coordinate, a diffusion model's noise walk, and typed
/// errors naming the options.
/// </summary>
public sealed class LatentWalkTests
{
    private static VaeModel Vae(string[] classNames) => new(new VariationalAutoencoder(new VaeConfig
    {
        Network = "mlp", Likelihood = VaeLikelihood.Gaussian, LatentDim = 3, Hidden = 16, Layers = 1, SampleShape = [2], Images = false,
        ClassNames = classNames,
    }));

    private static Tensor Prior(long seed, long dim)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.randn([1, dim], generator: generator);
    }

    [Fact]
    public void Rows_walk_between_the_seeded_prior_latents_and_decode_each_point()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(1);
        using var model = Vae([]);
        var grid = LatentWalk.Generate(model, new LatentWalkOptions { Rows = 2, Steps = 5, Seed = 7 });
        Assert.Equal(new long[] { 10, 2 }, grid.shape);
        using var noGrad = torch.no_grad();
        var vae = model.GetService<ILatentVariableModel>()!;
        // Row 1 starts at the latent drawn with seed 7 + 2 and ends at the one drawn with seed 7 + 3.
        Assert.True(grid[5].unsqueeze(0).allclose(vae.Decode(Prior(9, 3)), atol: 1e-5));
        Assert.True(grid[9].unsqueeze(0).allclose(vae.Decode(Prior(10, 3)), atol: 1e-5));
        Assert.True(grid.eq(LatentWalk.Generate(model, new LatentWalkOptions { Rows = 2, Steps = 5, Seed = 7 })).all().item<bool>());
    }

    [Fact]
    public void Two_examples_give_a_straight_line_between_their_encodings_and_a_traversal_moves_one_coordinate()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(2);
        using var model = Vae(["a", "b"]);
        var vae = model.GetService<IVariationalAutoencoder>()!;
        Tensor from = torch.tensor(new float[] { 0.5f, -1f }).view(1, 2), to = torch.tensor(new float[] { -2f, 1f }).view(1, 2);
        var line = LatentWalk.Generate(model, new LatentWalkOptions { Steps = 3, From = from, To = to, Class = 1 });
        Assert.Equal(3, line.shape[0]);
        using var noGrad = torch.no_grad();
        var labels = torch.tensor(new long[] { 1 });
        var middle = (vae.EncodeMean(from, labels) + vae.EncodeMean(to, labels)) / 2;
        Assert.True(line[1].unsqueeze(0).allclose(vae.Decode(middle, labels), atol: 1e-5));

        var sweep = LatentWalk.Generate(model, new LatentWalkOptions { Traverse = true, Rows = 5, Steps = 4, Range = 2, Class = 0 });
        Assert.Equal(3 * 4, sweep.shape[0]);   // rows are capped at the latent size
        var firstRow = vae.Decode(torch.tensor(new float[] { -2, 0, 0, -2f / 3, 0, 0, 2f / 3, 0, 0, 2, 0, 0 }).view(4, 3),
            torch.zeros(4, ScalarType.Int64));
        Assert.True(sweep.narrow(0, 0, 4).allclose(firstRow, atol: 1e-5));
    }

    [Fact]
    public void A_diffusion_model_walks_its_starting_noise()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(3);
        var config = new DiffusionConfig
        {
            Network = "mlp", SampleShape = [2], Images = false, Timesteps = 20,
            DefaultSampler = new SamplerOptions { Sampler = "ddim", Steps = 4 },
        };
        using var model = new DiffusionModel(config, config.CreateNetwork());
        var grid = LatentWalk.Generate(model, new LatentWalkOptions { Rows = 2, Steps = 3, Seed = 1 });
        Assert.Equal(new long[] { 6, 2 }, grid.shape);
        Assert.True(grid.eq(LatentWalk.Generate(model, new LatentWalkOptions { Rows = 2, Steps = 3, Seed = 1 })).all().item<bool>());
        var error = Assert.Throws<LoomUsageException>(() => LatentWalk.Generate(model, new LatentWalkOptions { Traverse = true }));
        Assert.Equal(nameof(LatentWalkOptions.Traverse), error.Option);
    }

    [Fact]
    public void Bad_options_are_typed_errors_naming_the_option()
    {
        using var model = Vae(["a", "b"]);
        foreach (var (options, option) in new (LatentWalkOptions, string)[]
        {
            (new() { Steps = 1 }, nameof(LatentWalkOptions.Steps)),
            (new() { Rows = 0 }, nameof(LatentWalkOptions.Rows)),
            (new() { Range = double.NaN, Traverse = true }, nameof(LatentWalkOptions.Range)),
            (new() { From = torch.zeros(1, 2) }, nameof(LatentWalkOptions.To)),
            (new() { Traverse = true, To = torch.zeros(1, 2) }, nameof(LatentWalkOptions.To)),
            (new() { Class = 2 }, nameof(LatentWalkOptions.Class)),
            (new() { From = torch.zeros(1, 2), To = torch.zeros(1, 2) }, nameof(LatentWalkOptions.Class)),
            (new() { From = torch.zeros(1, 2), FromImage = "a.png", To = torch.zeros(1, 2) }, nameof(LatentWalkOptions.FromImage)),
            (new() { FromImage = "a.png" }, nameof(LatentWalkOptions.To)),
            (new() { Traverse = true, ToImage = "b.png" }, nameof(LatentWalkOptions.ToImage)),
            (new() { FromImage = "a.png", ToImage = "b.png" }, nameof(LatentWalkOptions.FromImage)),   // a model of vectors
        })
        {
            var error = Assert.Throws<LoomUsageException>(() => LatentWalk.Generate(model, options));
            Assert.Equal(option, error.Option);
        }
    }

    [Fact]
    public void WriteFile_reads_named_images_walks_between_them_and_holds_no_tensor_afterwards()
    {
        using var work = new TempFolder();
        torch.random.manual_seed(4);
        using var model = new VaeModel(new VariationalAutoencoder(new VaeConfig
        {
            Network = "mlp", Likelihood = VaeLikelihood.Bernoulli, LatentDim = 2, Hidden = 8, Layers = 1, SampleShape = [1, 4, 4],
        }));
        using (var scope = torch.NewDisposeScope())
        {
            Loom.IO.Images.Png.Write(work.File("a.png"), torch.linspace(0, 1, 16).view(1, 4, 4));
            Loom.IO.Images.Png.Write(work.File("b.png"), torch.linspace(1, 0, 16).view(1, 4, 4));
        }
        var named = new LatentWalkOptions { Steps = 3, FromImage = work.File("a.png"), ToImage = work.File("b.png") };
        long before = TensorCounts.Live;
        LatentWalk.WriteFile(model, named, work.File("walk.csv"));
        Assert.Equal(before, TensorCounts.Live);
        using (var scope = torch.NewDisposeScope())
        {
            var given = LatentWalk.Generate(model, new LatentWalkOptions
            {
                Steps = 3, From = Loom.IO.Images.ImageSource.Read(work.File("a.png"), [1, 4, 4]),
                To = Loom.IO.Images.ImageSource.Read(work.File("b.png"), [1, 4, 4]),
            });
            var rows = File.ReadAllLines(work.File("walk.csv"));
            Assert.Equal(3, rows.Length);
            var written = rows.Select(r => r.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.True(torch.tensor(written.SelectMany(v => v).ToArray()).view(3, 16).allclose(given.flatten(1).to(ScalarType.Float64),
                atol: 1e-5));
        }
        var missing = Assert.ThrowsAny<LoomException>(() => LatentWalk.WriteFile(model,
            new LatentWalkOptions { FromImage = work.File("none.png"), ToImage = work.File("b.png") }, work.File("x.csv")));
        Assert.Contains("none.png", missing.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(work.File("x.csv")));
    }
}
