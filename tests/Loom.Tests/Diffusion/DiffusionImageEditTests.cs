using Loom.Core;
using Loom.Models.Diffusion;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Diffusion;

/// <summary><see cref="DiffusionImageEdit"/>: the request reaches the model unchanged; the input tile greys the region
/// being regenerated.</summary>
public sealed class DiffusionImageEditTests
{
    /// <summary>Returns a constant batch of the request's size and remembers the request.</summary>
    private sealed class RecordingGenerator : IDiffusionGenerator
    {
        public DiffusionConfig Config { get; } = new() { SampleShape = [1, 4, 4] };
        public DiffusionRequest? Seen { get; private set; }

        public Tensor Generate(DiffusionRequest request)
        {
            Seen = request;
            return torch.full([request.Count, 1, 4, 4], 0.25f);
        }
    }

    [Fact]
    public void Inpainting_shows_the_input_with_the_regenerated_region_grey_then_the_results()
    {
        using var scope = torch.NewDisposeScope();
        var model = new RecordingGenerator();
        var image = torch.arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4) / 16;
        var keep = torch.ones(1, 1, 4, 4);
        keep[.., .., 2.., ..] = 0;   // regenerate the bottom half
        var request = new DiffusionRequest { Count = 3, Image = image, Mask = keep, Resample = 2 };

        var result = DiffusionImageEdit.Run(model, request);

        Assert.Same(request, model.Seen);
        var shown = result.Input.data<float>().ToArray();
        var pixels = image.data<float>().ToArray();
        for (int i = 0; i < 16; i++)
            Assert.Equal(i < 8 ? pixels[i] : DiffusionImageEdit.MaskedGrey, shown[i]);
        Assert.Equal([3L, 1, 4, 4], result.Results.shape);
        var all = result.InputThenResults();
        Assert.Equal([4L, 1, 4, 4], all.shape);
        Assert.True(all[0].equal(result.Input[0]).all().item<bool>());
    }

    [Fact]
    public void Image_to_image_shows_the_input_unchanged_and_without_an_image_is_a_usage_error()
    {
        using var scope = torch.NewDisposeScope();
        var model = new RecordingGenerator();
        var image = torch.rand(1, 1, 4, 4, generator: torch.manual_seed(1));
        var result = DiffusionImageEdit.Run(model, new DiffusionRequest { Count = 2, Image = image, Strength = 0.4 });
        Assert.True(result.Input.equal(image).all().item<bool>());
        Assert.Equal(0.4, model.Seen!.Strength);
        Assert.Equal("Image", Assert.Throws<LoomUsageException>(() => DiffusionImageEdit.Run(model, new DiffusionRequest())).Option);
    }

    [Fact]
    public void WriteGrid_reads_the_image_and_the_mask_files_and_writes_the_input_then_the_results()
    {
        using var work = new TempFolder();
        var model = new RecordingGenerator();
        using (var scope = torch.NewDisposeScope())
            Loom.IO.Images.Png.Write(work.File("in.png"), torch.ones(1, 4, 4));
        long before = TensorCounts.Live;
        DiffusionImageEdit.WriteGrid(model, new DiffusionRequest { Count = 2, Resample = 1 }, work.File("in.png"), "bottom",
            work.File("grid.png"));
        Assert.Equal(before, TensorCounts.Live);
        using var scope2 = torch.NewDisposeScope();
        var tiles = Loom.IO.Images.SampleGrid.Split(Loom.IO.Images.Png.Read(work.File("grid.png")), 4, 4);
        Assert.Equal(4, tiles.shape[0]);   // a 2 × 2 grid: the input, two results, one empty slot
        // The input tile: the white image with its bottom half (the region regenerated) grey.
        Assert.Equal(1f, tiles[0, 0, 0, 0].item<float>(), 2);
        Assert.Equal(DiffusionImageEdit.MaskedGrey, tiles[0, 0, 3, 0].item<float>(), 2);
        Assert.Equal(0.25f, tiles[1, 0, 3, 0].item<float>(), 2);
        Loom.IO.Images.Png.Write(work.File("mask.png"), torch.ones(1, 8, 8));
        Assert.Equal("Out", Assert.Throws<LoomUsageException>(() =>
            DiffusionImageEdit.WriteGrid(model, new DiffusionRequest(), work.File("in.png"), null, work.File("grid.jpg"))).Option);
        var tooLarge = Assert.Throws<LoomUsageException>(() => DiffusionImageEdit.WriteGrid(model, new DiffusionRequest(),
            work.File("in.png"), work.File("mask.png"), work.File("g.png")));
        Assert.Equal("Mask", tooLarge.Option);
    }
}
